using System.Text;

namespace Automation.Core.Messaging.Replies;

/// <summary>
/// Reads a reply as carriers and providers do: a reply that is only a keyword, in any case, with spaces, full-width
/// letters (ＳＴＯＰ, typed with a Chinese input method) and a final full stop or exclamation mark tolerated, opts out or
/// back in. "Stop texting me" is a conversation, not a keyword.
/// </summary>
public static class OptOutKeywords
{
    /// <summary>The CTIA/Twilio opt-out words, plus T, TD and 退订 that Chinese marketing SMS ask for ("回T退订").</summary>
    public static readonly IReadOnlySet<string> OptOut = new HashSet<string>(StringComparer.Ordinal)
    {
        "STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "T", "TD", "退订",
    };

    /// <summary>The words that lift a STOP.</summary>
    public static readonly IReadOnlySet<string> OptIn = new HashSet<string>(StringComparer.Ordinal) { "START", "UNSTOP", "YES" };

    /// <summary>The words that ask for help (Twilio's and the CTIA's HELP keywords).</summary>
    public static readonly IReadOnlySet<string> Help = new HashSet<string>(StringComparer.Ordinal) { "HELP", "INFO" };

    /// <summary>The intent of a reply's text.</summary>
    public static ReplyIntent Interpret(string? text)
    {
        var word = Keyword(text);
        return OptOut.Contains(word) ? ReplyIntent.OptOut
            : OptIn.Contains(word) ? ReplyIntent.OptIn
            : Help.Contains(word) ? ReplyIntent.Help
            : ReplyIntent.None;
    }

    /// <summary>
    /// The reply folded to compare with the keywords: NFKC turns full-width letters and the ideographic space into
    /// ASCII; runs of spaces become one; trailing punctuation goes.
    /// </summary>
    private static string Keyword(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return "";
        var folded = text.Normalize(NormalizationForm.FormKC).Trim().TrimEnd('.', '!', '。').Trim();
        var words = folded.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return string.Join(' ', words).ToUpperInvariant();
    }
}
