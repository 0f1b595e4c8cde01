using System.Globalization;
using System.Text.RegularExpressions;

namespace Automation.Core.Messaging;

/// <summary>
/// What WeChat accepts in a subscribe message's field (订阅消息参数值内容限制说明): a field is named by its type and a
/// number (<c>thing1</c>, <c>character_string3</c>), and each type limits its value — a <c>thing</c> holds at most 20
/// characters, a <c>phrase</c> at most 5 Chinese characters. WeChat refuses a message that breaks one with 47003, so
/// it is checked here first: when a file is read for values without Liquid, at render for the rest.
/// </summary>
public static partial class WeChatSubscribeFields
{
    private sealed record Limit(int MaxLength, Func<string, bool> Allowed, string Rule);

    private static readonly Dictionary<string, Limit> Limits = new(StringComparer.Ordinal)
    {
        ["thing"] = new(20, _ => true, "at most 20 characters"),
        ["number"] = new(32, v => Number().IsMatch(v), "at most 32 digits, a decimal point allowed"),
        ["letter"] = new(32, v => v.All(char.IsAsciiLetter), "at most 32 letters (A–Z, a–z) and nothing else"),
        ["symbol"] = new(5, v => v.All(c => !char.IsLetterOrDigit(c) && !char.IsWhiteSpace(c)), "at most 5 symbols and nothing else"),
        ["character_string"] = new(32, v => v.All(c => c is > ' ' and <= '~'), "at most 32 digits, letters or symbols (no Chinese, no spaces)"),
        ["phone_number"] = new(17, v => v.All(c => !char.IsLetter(c)), "at most 17 digits or symbols (+86-0766-66888866)"),
        ["car_number"] = new(8, _ => true, "at most 8 characters (粤A8Z888挂)"),
        ["amount"] = new(16, v => Amount().IsMatch(v) && v.Count(char.IsAsciiDigit) <= 10, "a currency symbol and at most 10 digits, decimals and a final 元 allowed (¥99.00)"),
        ["phrase"] = new(5, v => v.All(IsChinese), "at most 5 Chinese characters and nothing else (配送中)"),
        ["name"] = new(20, v => !v.Any(IsChinese) || Length(v) <= 10, "at most 10 Chinese characters, or 20 letters"),
    };

    /// <summary>The field's type (<c>thing</c> of <c>thing1</c>), or null when the name is not a type and a number.</summary>
    public static string? TypeOf(string field) => FieldName().Match(field) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>Why WeChat would refuse <paramref name="value"/> in <paramref name="field"/>, or null when it would not.</summary>
    public static string? Problem(string field, string value)
    {
        if (value.Length == 0) return $"field '{field}' is empty: WeChat refuses a subscribe message with an empty field (47003)";
        // Types whose rules this table does not hold (time, date, const, enum…) are left to WeChat.
        if (TypeOf(field) is not { } type || !Limits.TryGetValue(type, out var limit)) return null;
        return Length(value) <= limit.MaxLength && limit.Allowed(value)
            ? null
            : $"field '{field}' is a {type}: {limit.Rule}, not '{value}' ({Length(value)} characters)";
    }

    /// <summary>Characters as WeChat counts them: one per character a reader sees, whatever its UTF-16 length.</summary>
    private static int Length(string value) => new StringInfo(value).LengthInTextElements;

    private static bool IsChinese(char c) => c is >= '\u4e00' and <= '\u9fff' or >= '\u3400' and <= '\u4dbf';

    [GeneratedRegex("^([a-z_]+?)([0-9]+)$")]
    private static partial Regex FieldName();

    [GeneratedRegex("^-?[0-9]+(\\.[0-9]+)?$")]
    private static partial Regex Number();

    [GeneratedRegex("^\\p{Sc}?[0-9]+(\\.[0-9]+)?元?$")]
    private static partial Regex Amount();
}
