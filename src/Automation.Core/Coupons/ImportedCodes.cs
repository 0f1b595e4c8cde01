using System.Globalization;

namespace Automation.Core.Coupons;

/// <summary>
/// What a code imported from the shop may be: the text its checkout accepts, typed or pasted by a customer. Both the
/// API (<c>POST /v1/coupons/{campaign}/codes</c>) and <c>automation coupons import</c> check codes here.
/// </summary>
public static class ImportedCodes
{
    /// <summary>Characters a code may have at most: longer is a pasted sentence, not a code.</summary>
    public const int MaxLength = 64;

    /// <summary>
    /// Why <paramref name="code"/> cannot be imported, or null when it can: blank, longer than <see cref="MaxLength"/>,
    /// or holding whitespace, control or invisible formatting characters or broken text (a lone surrogate), which a
    /// customer could never type back.
    /// </summary>
    public static string? Problem(string? code)
    {
        if (string.IsNullOrWhiteSpace(code)) return "is blank: a code needs at least one visible character";
        if (code.Length > MaxLength) return $"is {code.Length} characters long; a code has at most {MaxLength}";
        for (var i = 0; i < code.Length; i++)
        {
            var c = code[i];
            if (char.IsHighSurrogate(c) && i + 1 < code.Length && char.IsLowSurrogate(code[i + 1]))
            {
                i++;
                continue;
            }
            var reason = char.IsWhiteSpace(c) ? "whitespace"
                : char.IsControl(c) ? "a control character"
                : char.IsSurrogate(c) ? "a lone surrogate, which is no text"
                : CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format ? "an invisible formatting character"
                : null;
            if (reason is not null) return $"holds {reason} (U+{(int)c:X4}) at position {i + 1}";
        }
        return null;
    }
}

/// <summary>What an import did: how many codes it added to <paramref name="Campaign"/>, and the codes that existed already.</summary>
/// <param name="Received">Codes in the request, repeats included.</param>
/// <param name="Added">Codes new to the database, now waiting in the campaign to be issued.</param>
/// <param name="Existing">Codes that were there before, in this campaign or another, each with its campaign; left as they were.</param>
public sealed record CouponImport(string Campaign, int Received, int Added, IReadOnlyList<ExistingCode> Existing);

/// <summary>A code an import found already there, and the campaign it belongs to.</summary>
public sealed record ExistingCode(string Code, string Campaign);
