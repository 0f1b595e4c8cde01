using System.Security.Cryptography;

namespace Automation.Core.Coupons;

/// <summary>
/// Makes codes no one can guess from the ones they hold: each character drawn from the alphabet by the operating
/// system's cryptographic random source, uniformly.
/// </summary>
public static class CouponCodes
{
    /// <summary>Ambiguous characters a generated code never uses: a customer typing the code mistakes them for each other.</summary>
    public const string Ambiguous = "0O1IL";

    /// <summary>Bits of randomness a generated code needs at least, so that codes cannot be found by trying.</summary>
    public const double MinimumBits = 40;

    public static string Generate(CouponCodeFormat format) => format.Prefix + RandomNumberGenerator.GetString(format.Alphabet, format.Length);

    /// <summary>The bits of randomness of a code of this format.</summary>
    public static double Bits(CouponCodeFormat format) => format.Length * Math.Log2(format.Alphabet.Length);
}
