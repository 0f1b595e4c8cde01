using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Automation.Core.Referrals;

/// <summary>
/// Each customer's referral code: stable (the same every time it is asked for, on every node) and unforgeable — the
/// customer's number and an HMAC of it under a key derived from the server's signing key, in letters and digits that
/// cannot be mistaken for each other (no 0/O, 1/I/L), so it can be read out or typed.
/// </summary>
public sealed class ReferralCodes(byte[] signingKey)
{
    private const string Alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    private const int MacCharacters = 10;

    private readonly byte[] _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, signingKey, 32, info: "automation referral code v1"u8.ToArray());

    public string CodeFor(long customerId) => $"{Encode((ulong)customerId, minLength: 1)}-{Mac(customerId)}";

    /// <summary>The customer whose code it is, ignoring case and surrounding spaces; null for anything else.</summary>
    public long? Read(string code)
    {
        var parts = code.Trim().ToUpperInvariant().Split('-');
        if (parts.Length != 2 || parts[0].Length is 0 or > 13 || parts[1].Length != MacCharacters) return null;
        ulong id = 0;
        foreach (var c in parts[0])
        {
            var digit = Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (digit < 0 || id > (ulong.MaxValue - (ulong)digit) / (ulong)Alphabet.Length) return null;
            id = id * (ulong)Alphabet.Length + (ulong)digit;
        }
        if (id is 0 or > long.MaxValue) return null;
        var expected = Encoding.ASCII.GetBytes(Mac((long)id));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(parts[1]), expected) ? (long)id : null;
    }

    private string Mac(long customerId)
    {
        var mac = HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"referral\n{customerId.ToString(CultureInfo.InvariantCulture)}"));
        return Encode(BitConverter.ToUInt64(mac, 0), MacCharacters)[..MacCharacters];
    }

    private static string Encode(ulong value, int minLength)
    {
        var text = new StringBuilder();
        do
        {
            text.Insert(0, Alphabet[(int)(value % (ulong)Alphabet.Length)]);
            value /= (ulong)Alphabet.Length;
        }
        while (value > 0);
        return text.ToString().PadLeft(minLength, Alphabet[0]);
    }
}
