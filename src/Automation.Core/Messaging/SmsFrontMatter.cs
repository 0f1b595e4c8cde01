using System.Text.RegularExpressions;

namespace Automation.Core.Messaging;

/// <summary>
/// The front matter of an SMS file for template-based providers: <c>aliyun_template: SMS_123456789</c>,
/// <c>tencent_template: 1234567</c> and one <c>param.&lt;name&gt;: Liquid</c> line per template variable. Aliyun names
/// its variables (<c>${code}</c>); Tencent numbers them ({1}, {2}…) in the order the lines are written.
/// </summary>
internal static partial class SmsFrontMatter
{
    /// <summary>The providers whose templates a file may name, each with the form its template codes take.</summary>
    private static readonly Dictionary<string, (Regex Pattern, string Example)> Providers = new(StringComparer.Ordinal)
    {
        ["aliyun"] = (AliyunCode(), "SMS_123456789"),
        ["tencent"] = (TencentCode(), "1234567"),
    };

    /// <summary>Reads <paramref name="key"/> when it is an SMS provider key; false for any other key.</summary>
    public static bool Read(string path, int line, string key, string value, Dictionary<string, string> codes,
        List<KeyValuePair<string, LiquidTemplates.ParsedPart>> parameters, Func<string, string, int, LiquidTemplates.ParsedPart> parse)
    {
        if (key.StartsWith("param.", StringComparison.Ordinal))
        {
            var name = key["param.".Length..];
            if (!ParameterName().IsMatch(name))
                throw new TemplateException(path, line, $"'{key}': a template variable's name is letters, digits and _ (at most 32), starting with a letter");
            if (parameters.Any(p => p.Key == name)) throw new TemplateException(path, line, $"'{key}' is declared twice");
            parameters.Add(KeyValuePair.Create(name, parse(path, value, line)));
            return true;
        }
        var provider = Providers.Keys.FirstOrDefault(p => ProviderSmsTemplate.KeyOf(p) == key);
        if (provider is null) return false;
        var (pattern, example) = Providers[provider];
        if (!pattern.IsMatch(value)) throw new TemplateException(path, line, $"{key} '{value}' is not a template code such as {example}");
        codes[provider] = value;
        return true;
    }

    [GeneratedRegex("^SMS_[0-9]{1,20}$")]
    private static partial Regex AliyunCode();

    [GeneratedRegex("^[0-9]{1,20}$")]
    private static partial Regex TencentCode();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{0,31}$")]
    private static partial Regex ParameterName();
}
