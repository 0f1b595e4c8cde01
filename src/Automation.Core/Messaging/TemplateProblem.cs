namespace Automation.Core.Messaging;

/// <summary>A template that cannot be read or rendered, printed as <c>file:line: reason</c>.</summary>
public sealed class TemplateException(string file, int line, string reason) : Exception($"{file}:{line}: {reason}")
{
    public string File { get; } = file;
    public int Line { get; } = line;
    public string Reason { get; } = reason;
}

/// <summary>What a message looks like once rendered.</summary>
/// <param name="Subject">Email subject; null for other channels.</param>
/// <param name="Html">Email HTML part; null for other channels.</param>
/// <param name="Text">The text part of an email, or the body of an SMS or webhook message.</param>
public sealed record RenderedMessage(string? Subject, string? Html, string Text, string TemplateFile, string? Locale)
{
    /// <summary>
    /// What template-based SMS providers send instead of <see cref="Text"/>: the template code each provider approved
    /// and the parameters rendered from the file's front matter; empty when the file declares none.
    /// </summary>
    public ProviderSmsTemplate ProviderTemplate { get; init; } = ProviderSmsTemplate.None;

    /// <summary>For a WeChat file, which API sends it: template/send or subscribe/bizsend (front matter <c>kind:</c>).</summary>
    public WeChatMessageKind WeChatKind { get; init; }
}

/// <summary>
/// An SMS as Aliyun and Tencent Cloud send it: a template approved with the provider, named by its code, and the values
/// of its variables, in the order the file declares them (Tencent's variables are numbered {1}, {2}…).
/// </summary>
/// <param name="Codes">Provider name (<c>aliyun</c>, <c>tencent</c>) → template code, from <c>aliyun_template:</c> / <c>tencent_template:</c>.</param>
/// <param name="Parameters">Each <c>param.&lt;name&gt;:</c> line's name and rendered value.</param>
public sealed record ProviderSmsTemplate(IReadOnlyDictionary<string, string> Codes, IReadOnlyList<KeyValuePair<string, string>> Parameters)
{
    public static ProviderSmsTemplate None { get; } = new(new Dictionary<string, string>(), []);

    /// <summary>The front matter key naming a provider's template code: <c>aliyun_template</c>.</summary>
    public static string KeyOf(string provider) => $"{provider}_template";
}
