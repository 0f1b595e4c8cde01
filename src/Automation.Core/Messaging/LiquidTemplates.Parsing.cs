using System.Globalization;
using System.Text.RegularExpressions;
using Fluid;

namespace Automation.Core.Messaging;

/// <summary>Reading a template file: its front matter, parts and the Liquid of each, parsed once per save.</summary>
public sealed partial class LiquidTemplates
{
    /// <summary>One parsed Liquid text and where it starts in its file.</summary>
    public sealed record ParsedPart(IFluidTemplate Template, string Source, int FirstLine)
    {
        /// <summary>
        /// The line of the first appearance of what an error names, else the part's first line. A loop variable's
        /// member is named by where it is in the model (<c>cart.items[0].sku</c>): its line is that of <c>.sku</c>.
        /// </summary>
        public int LineOf(string message)
        {
            var quoted = Quoted().Match(message);
            var needle = quoted.Success ? quoted.Groups[1].Value : message.Trim();
            var member = needle.LastIndexOf('.') is var dot and > 0 ? needle[dot..] : null;
            var lines = Source.Split('\n');
            foreach (var candidate in new[] { needle, member })
            {
                if (string.IsNullOrEmpty(candidate)) continue;
                for (var i = 0; i < lines.Length; i++)
                {
                    if (lines[i].Contains(candidate, StringComparison.Ordinal)) return FirstLine + i;
                }
            }
            return FirstLine;
        }
    }

    /// <summary>A template file: front matter, body and optional text part.</summary>
    /// <param name="ProviderCodes">Provider → approved SMS template code (<c>aliyun_template:</c>, <c>tencent_template:</c>).</param>
    /// <param name="Parameters">The SMS template's variables (<c>param.&lt;name&gt;:</c>) in the order written.</param>
    public sealed record ParsedFile(string Path, ParsedPart Body, ParsedPart? Text, ParsedPart? Subject, string? Layout,
        IReadOnlyDictionary<string, string> ProviderCodes, IReadOnlyList<KeyValuePair<string, ParsedPart>> Parameters)
    {
        /// <summary>A WeChat file's template id and fields (see <see cref="WeChatTemplate"/>); null for other channels.</summary>
        public WeChatTemplate? WeChat { get; init; }

        public static ParsedFile Parse(string path, string source)
        {
            // An empty file is what a reader sees while an editor rewrites it in place: never a template to send.
            if (string.IsNullOrWhiteSpace(source)) throw new TemplateException(path, 1, "the file is empty");
            var lines = source.Replace("\r\n", "\n").Split('\n');
            var bodyStart = 0;
            var front = new Dictionary<string, (string Value, int Line)>(StringComparer.OrdinalIgnoreCase);
            var codes = new Dictionary<string, string>(StringComparer.Ordinal);
            var parameters = new List<KeyValuePair<string, ParsedPart>>();
            var weChat = WeChatTemplate.IsWeChatFile(path);
            if (lines.Length > 0 && lines[0].Trim() == "---")
            {
                var end = Array.FindIndex(lines, 1, l => l.Trim() == "---");
                if (end < 0) throw new TemplateException(path, 1, "front matter opened with '---' is never closed");
                for (var i = 1; i < end; i++)
                {
                    if (string.IsNullOrWhiteSpace(lines[i])) continue;
                    var colon = lines[i].IndexOf(':');
                    if (colon <= 0) throw new TemplateException(path, i + 1, "front matter lines are 'key: value'");
                    var key = lines[i][..colon].Trim();
                    var value = lines[i][(colon + 1)..].Trim();
                    if (weChat)
                    {
                        if (!WeChatTemplate.FrontMatterKeys.Contains(key))
                            throw new TemplateException(path, i + 1, $"unknown front matter key '{key}': use {string.Join(", ", WeChatTemplate.FrontMatterKeys)}");
                    }
                    else
                    {
                        if (SmsFrontMatter.Read(path, i + 1, key, value, codes, parameters, Part)) continue;
                        if (key is not ("subject" or "layout"))
                            throw new TemplateException(path, i + 1, $"unknown front matter key '{key}': use subject, layout, aliyun_template, tencent_template or param.<name>");
                    }
                    front[key] = (value, i + 1);
                }
                bodyStart = end + 1;
            }

            var separator = Array.FindIndex(lines, bodyStart, l => l.Trim() == TextSeparator);
            var bodyLines = separator < 0 ? lines[bodyStart..] : lines[bodyStart..separator];
            var body = Part(path, string.Join('\n', bodyLines), bodyStart + 1);
            var text = separator < 0 ? null : Part(path, string.Join('\n', lines[(separator + 1)..]), separator + 2);
            var subject = front.TryGetValue("subject", out var s) ? Part(path, s.Value, s.Line) : null;
            // Checked here as well as at render, so that an email file without its front matter counts as bad and its last good version stays.
            if (subject is null && System.IO.Path.GetFileName(path).Split('.') is [_, "email", ..] and { Length: > 2 })
                throw new TemplateException(path, 1, "an email template needs 'subject:' in its front matter");
            return new ParsedFile(path, body, text, subject, front.TryGetValue("layout", out var l) ? l.Value : null, codes, parameters)
            {
                WeChat = weChat ? WeChatTemplate.Parse(path, front, bodyLines, bodyStart + 1, (source, line) => Part(path, source, line)) : null,
            };
        }

        internal static ParsedPart Part(string path, string source, int firstLine)
        {
            if (Parser.TryParse(source, out var template, out var error)) return new ParsedPart(template, source, firstLine);
            // Fluid says where, within this part: "'{% endif %}' was expected at (1:26)", followed by the source.
            var message = error.Split('\n')[0].Trim();
            var at = Position().Match(message);
            var line = at.Success ? firstLine + int.Parse(at.Groups[1].Value, CultureInfo.InvariantCulture) - 1 : firstLine;
            var reason = at.Success ? $"{message[..at.Index].TrimEnd()} (column {at.Groups[2].Value})" : message;
            throw new TemplateException(path, line, $"syntax: {reason}");
        }
    }

    [GeneratedRegex("'([^']+)'")]
    private static partial Regex Quoted();

    [GeneratedRegex("at \\((\\d+):(\\d+)\\)")]
    private static partial Regex Position();
}
