using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Automation.Core.Ingestion;

/// <summary>
/// Finds text a database cannot store: U+0000, which PostgreSQL's text and jsonb refuse, and lone UTF-16 surrogates
/// (from escapes such as <c>"\ud800"</c>), which are no text at all; and objects that name a property twice. Checked
/// per message, so both databases give the same answer and one such message never fails its batch.
/// </summary>
internal static class UnstorableText
{
    private const int MaxErrorsPerMessage = 10;
    private const string LoneSurrogate = "holds a lone surrogate (such as \\ud800), which is no text";

    private static readonly JsonSerializerOptions EscapeAll = new() { Encoder = JavaScriptEncoder.Default };

    /// <summary>Records an error naming the path of every unstorable name or string under <paramref name="node"/>.</summary>
    public static void Check(JsonNode node, string path, JsonFieldReader r) => Walk(node, path, r, r.Errors.Count);

    /// <summary>True when a database can store <paramref name="text"/>.</summary>
    public static bool IsStorable(string text) => Problem(text) is null;

    /// <summary>The node as JSON with every non-ASCII and control character escaped, so any database stores it as text.</summary>
    public static string Escaped(JsonNode? node)
    {
        try
        {
            return node?.ToJsonString(EscapeAll) ?? "null";
        }
        catch (InvalidOperationException)
        {
            return "\"(the message holds invalid text and could not be kept)\"";
        }
    }

    private static void Walk(JsonNode? node, string path, JsonFieldReader r, int errorsBefore)
    {
        if (r.Errors.Count - errorsBefore >= MaxErrorsPerMessage) return;
        try
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (name, value) in o)
                    {
                        var at = JsonFieldReader.Join(path, name);
                        if (Problem(name) is { } nameProblem) r.Add(at, $"has a property name that {nameProblem}");
                        else Walk(value, at, r, errorsBefore);
                    }
                    break;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++) Walk(a[i], $"{path}[{i}]", r, errorsBefore);
                    break;
                case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                    if (Problem(v.GetValue<string>()) is { } problem) r.Add(path, problem);
                    break;
            }
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json refuses to turn an invalid UTF-16 escape into a string wherever it meets one.
            r.Add(path.Length == 0 ? "$" : path, LoneSurrogate);
        }
        catch (ArgumentException)
        {
            // An object's properties are read when first used: that is when a name given twice is found.
            r.Add(path.Length == 0 ? "$" : path, "has a property named twice");
        }
    }

    private static string? Problem(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0') return "holds the character U+0000, which cannot be stored";
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else if (char.IsSurrogate(c)) return LoneSurrogate;
        }
        return null;
    }
}
