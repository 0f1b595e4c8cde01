using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using DotLiquid;
using DotLiquid.Exceptions;

namespace Automation.Core.Messaging;

/// <summary>
/// Renders message templates with DotLiquid in strict mode: an undefined variable or filter is an error, never an
/// empty string ("Hi ,"). HTML parts see HTML-escaped values unless <c>| raw</c> says otherwise. Parsed templates are
/// cached and re-read when their file changes.
/// </summary>
/// <remarks>
/// An email file starts with front matter (<c>subject:</c>, optional <c>layout:</c>) between <c>---</c> lines; its
/// HTML follows, and an optional text part after a line <c>&lt;!-- text --&gt;</c>. Other channels' files are the body;
/// an SMS file's front matter may name the templates Aliyun and Tencent Cloud approved (<c>aliyun_template:</c>,
/// <c>tencent_template:</c>) and their variables (<c>param.&lt;name&gt;:</c> Liquid), sent by those providers instead of the body.
/// <c>shop</c> holds the shop's settings (<c>shop.sign_name</c>, <c>Templates:SignName</c>).
/// </remarks>
public sealed partial class LiquidTemplates
{
    public const string TextSeparator = "<!-- text -->";

    private readonly ConcurrentDictionary<string, (DateTimeOffset Stamp, ParsedFile Parsed)> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TemplateException> _problems = new(StringComparer.Ordinal);

    static LiquidTemplates()
    {
        Template.FileSystem = new PartialsFileSystem();
        Template.NamingConvention = new CachedNamingConvention();
    }

    private readonly Hash _shop;

    /// <param name="signName">The shop's SMS signature (<c>Templates:SignName</c>), the <c>shop.sign_name</c> of templates.</param>
    public LiquidTemplates(TemplateFiles files, string? signName = null)
    {
        Files = files;
        // Unset, shop.sign_name is undefined: a template that needs it fails (and `automation validate` says so) rather than sending "【】".
        var shop = new Hash();
        if (!string.IsNullOrWhiteSpace(signName)) shop["sign_name"] = signName;
        _shop = Hash.FromDictionary(new Dictionary<string, object> { ["shop"] = shop });
    }

    public TemplateFiles Files { get; }

    /// <summary>Renders a step's template for a channel; throws <see cref="TemplateException"/> naming file and line.</summary>
    public RenderedMessage Render(string template, string channel, TemplateModel model)
    {
        var found = Files.Find(template, channel, model.Locale)
            ?? throw new TemplateException(Path.Combine(Files.Root, $"{template}.{channel}.liquid"), 1, "no such template (or localised variant)");
        return RenderFile(found.File, found.Locale, channel, model);
    }

    /// <summary>Renders one template file as a message for a channel.</summary>
    public RenderedMessage RenderFile(string file, string? locale, string channel, TemplateModel model)
    {
        var found = (File: file, Locale: locale);
        var parsed = Load(found.File);
        if (channel == "email")
        {
            if (parsed.Subject is null) throw new TemplateException(found.File, 1, "an email template needs 'subject:' in its front matter");
            var subject = RenderPart(parsed, parsed.Subject, model, html: false).Trim();
            var html = RenderPart(parsed, parsed.Body, model, html: true);
            if (parsed.Layout is { } layoutName) html = RenderLayout(found.File, layoutName, html, model);
            var text = parsed.Text is null ? HtmlToText(html) : RenderPart(parsed, parsed.Text, model, html: false).Trim();
            return new RenderedMessage(subject, html, text, found.File, found.Locale);
        }
        if (parsed.WeChat is { } weChat)
            return new RenderedMessage(null, null, weChat.Render(found.File, part => RenderPart(parsed, part, model, html: false)), found.File, found.Locale)
            {
                WeChatKind = weChat.Kind,
            };
        return new RenderedMessage(null, null, RenderPart(parsed, parsed.Body, model, html: false).Trim(), found.File, found.Locale)
        {
            ProviderTemplate = parsed.ProviderCodes.Count == 0 && parsed.Parameters.Count == 0 ? ProviderSmsTemplate.None : new ProviderSmsTemplate(parsed.ProviderCodes,
                [.. parsed.Parameters.Select(p => KeyValuePair.Create(p.Key, RenderPart(parsed, p.Value, model, html: false).Trim()))]),
        };
    }

    /// <summary>
    /// Parses a file (cached until it changes), throwing <see cref="TemplateException"/> on bad syntax. A file that was
    /// good and turns bad keeps rendering its last good version, as a bad journey file keeps running its last good one:
    /// an edit saved half-way or by mistake must not fail every message of the step. Its problem is in <see cref="Problems"/>.
    /// </summary>
    public ParsedFile Load(string file)
    {
        var stamp = Files.Folder.LastModified(file);
        if (_cache.TryGetValue(file, out var cached) && cached.Stamp == stamp) return cached.Parsed;
        try
        {
            var parsed = ParsedFile.Parse(file, Files.Folder.ReadAllText(file));
            _cache[file] = (stamp, parsed);
            _problems.TryRemove(file, out _);
            return parsed;
        }
        catch (TemplateException e) when (cached.Parsed is not null)
        {
            // Remembered under the bad file's stamp, so it is parsed once per save, not once per message.
            _cache[file] = (stamp, cached.Parsed);
            _problems[file] = e;
            return cached.Parsed;
        }
    }

    /// <summary>Template files whose current version is bad and which render their last good version instead.</summary>
    public IReadOnlyCollection<TemplateException> Problems => [.. _problems.Values];

    private string RenderLayout(string file, string layoutName, string content, TemplateModel model)
    {
        var layoutFile = Path.Combine(Files.Root, "_layouts", $"{layoutName}.liquid");
        if (!Files.Folder.Exists(layoutFile)) throw new TemplateException(file, 1, $"layout '{layoutName}' not found: expected {layoutFile}");
        var layout = Load(layoutFile);
        return RenderPart(layout, layout.Body, model, html: true, content);
    }

    private string RenderPart(ParsedFile file, ParsedPart part, TemplateModel model, bool html, string? content = null)
    {
        var environment = html ? model.Html : model.Plain;
        var environments = new List<Hash> { environment, _shop };
        if (content is not null) environments.Insert(0, Hash.FromDictionary(new Dictionary<string, object> { ["content"] = content }));
        var registers = new Hash
        {
            ["templates"] = Files,
            ["zone"] = model.Zone,
            ["culture"] = model.Culture,
            ["currency"] = model.Currency,
            ["html"] = html,
        };
        // A runaway loop in a template must not hold a dispatcher: two seconds is far beyond any real message.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var context = new Context(environments, new Hash(), registers, ErrorsOutputMode.Rethrow, 10_000, model.Culture, timeout.Token)
        {
            SyntaxCompatibilityLevel = SyntaxCompatibility.DotLiquid22,
        };
        context.AddFilters(typeof(LiquidFilters));
        string output;
        try
        {
            output = part.Template.Render(RenderParameters.FromContext(context, model.Culture));
        }
        catch (Exception e) when (e is LiquidException or System.ArgumentException or FormatException or InvalidCastException or OperationCanceledException)
        {
            throw new TemplateException(file.Path, part.LineOf(e.Message), Describe(e));
        }
        if (context.Errors.FirstOrDefault() is { } error)
            throw new TemplateException(file.Path, part.LineOf(error.Message), Describe(error));
        return output;
    }

    private static string Describe(Exception e) => e switch
    {
        FilterNotFoundException => $"unknown filter '{e.Message}'",
        _ => e.Message.Replace("Liquid error: ", "").Replace("Error - ", ""),
    };

    /// <summary>A text part from HTML: links kept as "text (url)", tags dropped, entities decoded, blank lines folded.</summary>
    public static string HtmlToText(string html)
    {
        var text = Link().Replace(html, m => $"{m.Groups[2].Value} ({m.Groups[1].Value})");
        text = Break().Replace(text, "\n");
        text = Cell().Replace(text, " ");
        text = Tag().Replace(text, "");
        text = WebUtility.HtmlDecode(text);
        var lines = text.Split('\n').Select(l => Spaces().Replace(l, " ").Trim());
        return BlankLines().Replace(string.Join('\n', lines), "\n\n").Trim();
    }

    [GeneratedRegex("<a\\s[^>]*href=\"([^\"]*)\"[^>]*>(.*?)</a>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex Link();

    [GeneratedRegex("<\\s*(br|/p|/div|/h[1-6]|/li|/tr)\\s*/?>", RegexOptions.IgnoreCase)]
    private static partial Regex Break();

    [GeneratedRegex("<\\s*/t[dh]\\s*>", RegexOptions.IgnoreCase)]
    private static partial Regex Cell();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tag();

    [GeneratedRegex("[ \\t\\r]+")]
    private static partial Regex Spaces();

    [GeneratedRegex("\\n{3,}")]
    private static partial Regex BlankLines();

    /// <summary>One parsed Liquid text and where it starts in its file.</summary>
    public sealed record ParsedPart(Template Template, string Source, int FirstLine)
    {
        /// <summary>The line of the first appearance of what an error names, else the part's first line.</summary>
        public int LineOf(string message)
        {
            var quoted = Quoted().Match(message);
            var needle = quoted.Success ? quoted.Groups[1].Value : message.Trim();
            var lines = Source.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                if (needle.Length > 0 && lines[i].Contains(needle, StringComparison.Ordinal)) return FirstLine + i;
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
            try
            {
                return new ParsedPart(Template.Parse(source, SyntaxCompatibility.DotLiquid22), source, firstLine);
            }
            catch (LiquidException e)
            {
                var part = new ParsedPart(Template.Parse(""), source, firstLine);
                throw new TemplateException(path, part.LineOf(e.Message), $"syntax: {e.Message.Replace("Liquid syntax error: ", "")}");
            }
        }
    }

    [GeneratedRegex("'([^']+)'")]
    private static partial Regex Quoted();

    /// <summary>Resolves <c>{% include 'footer' %}</c> to <c>_partials/_footer.liquid</c> in the templates folder of the render.</summary>
    private sealed class PartialsFileSystem : DotLiquid.FileSystems.IFileSystem
    {
        public string ReadTemplateFile(Context context, string templateName)
        {
            var name = templateName.Trim('\'', '"');
            if (name.Contains("..", StringComparison.Ordinal) || name.Contains('/') || name.Contains('\\'))
                throw new FileSystemException($"partial '{name}' must be a plain name");
            var templates = (TemplateFiles)context.Registers["templates"];
            var file = System.IO.Path.Combine(templates.Root, "_partials", $"_{name}.liquid");
            if (!templates.Folder.Exists(file)) throw new FileSystemException($"partial '{name}' not found: expected {file}");
            return templates.Folder.ReadAllText(file);
        }
    }
}
