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
public sealed record RenderedMessage(string? Subject, string? Html, string Text, string TemplateFile, string? Locale);
