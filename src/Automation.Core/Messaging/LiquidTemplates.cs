using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using System.Text.Encodings.Web;
using Fluid;
using Fluid.Ast;
using Fluid.Values;

namespace Automation.Core.Messaging;

/// <summary>
/// Renders message templates with Fluid in strict mode: an undefined variable or filter is an error, never an
/// empty string ("Hi ,"). HTML parts see HTML-escaped values unless <c>| raw</c> says otherwise. Parsed templates are
/// cached and re-read when their file changes; the filters and options are built once, not per render.
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

    /// <summary>
    /// A runaway loop in a template must not hold a dispatcher: a hundred thousand statements, a million characters or a
    /// hundred thousand items are far beyond any real message. Counted, so the limit holds on a loaded machine too.
    /// </summary>
    private const int MaxSteps = 100_000;

    private const int MaxIncludeDepth = 10;

    // Thread-safe once built: one parser for every template.
    private static readonly FluidParser Parser = CreateParser();

    private readonly TemplateOptions _options;

    /// <param name="signName">The shop's SMS signature (<c>Templates:SignName</c>), the <c>shop.sign_name</c> of templates.</param>
    public LiquidTemplates(TemplateFiles files, string? signName = null)
    {
        Files = files;
        // Unset, shop.sign_name is undefined: a template that needs it fails (and `automation validate` says so) rather than sending "【】".
        var shop = new Dictionary<string, object?>();
        if (!string.IsNullOrWhiteSpace(signName)) shop["sign_name"] = signName;
        // Undefined variables are TemplateHash's to report (Fluid's StrictVariables would fail on every nil too).
        _options = new TemplateOptionsBuilder()
            .WithStrictFilters(true)
            .WithModelNamesComparer(StringComparer.Ordinal)
            .WithMaxSteps(MaxSteps)
            .WithMaxOutputSize(1_000_000)
            .WithMaxCollectionSize(100_000)
            .WithGlobalValue("shop", TemplateModel.ToHash(shop, escape: false, name: "shop"))
            .ConfigureFilters(LiquidFilters.Register)
            .Build();
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
    /// an edit saved half-way or by mistake must not fail every message of the step. Its problem is in <see cref="Problems"/>
    /// and counted once per bad save in <c>automation.rules.reload.failures</c> (<c>automation.rules.file=template</c>).
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
            Telemetry.AutomationMetrics.RulesReloadFailures.Add(1, Telemetry.AutomationMetrics.Tags("automation.rules.file", "template"));
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
        var context = new MessageContext(this, model, html, _options);
        if (content is not null) context.SetValue("content", StringValue.Create(content));
        try
        {
            // Values are escaped in the model (TemplateModel.Html) with WebUtility, so nothing is encoded twice and non-ASCII text stays as it is.
            return part.Template.Render(context, NullEncoder.Default);
        }
        catch (Exception e) when (e is FluidException or InvalidOperationException or System.ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            var reason = Describe(e);
            throw new TemplateException(file.Path, part.LineOf(reason), reason);
        }
    }

    private static string Describe(Exception e) => UndefinedFilter().Match(e.Message) is { Success: true } filter
        ? $"unknown filter '{filter.Groups[1].Value}'"
        : e.Message;

    [GeneratedRegex("^Undefined filter '([^']+)'")]
    private static partial Regex UndefinedFilter();

    private static FluidParser CreateParser()
    {
        var parser = new FluidParser();
        // Fluid's own include binds a variable named after the partial, which the strict model reports as undefined.
        parser.RegisterExpressionTag("include", IncludePartial);
        return parser;
    }

    private static async ValueTask<Completion> IncludePartial(Expression name, IFluidOutput output, TextEncoder encoder, TemplateContext context)
    {
        var message = (MessageContext)context;
        var partialName = (await name.EvaluateAsync(context)).ToStringValue(context);
        if (message.IncludeDepth == MaxIncludeDepth) throw new FluidException($"partial '{partialName}' is included more than {MaxIncludeDepth} levels deep: does it include itself?");
        var partial = message.Templates.Partial(partialName);
        message.IncludeDepth++;
        await partial.Body.Template.RenderAsync(output, encoder, context);
        message.IncludeDepth--;
        return Completion.Normal;
    }

    /// <summary>
    /// <c>{% include 'footer' %}</c>: <c>_partials/_footer.liquid</c> in the templates folder, parsed once per save and
    /// kept at its last good version as templates are.
    /// </summary>
    internal ParsedFile Partial(string name)
    {
        if (name.Contains("..", StringComparison.Ordinal) || name.Contains('/') || name.Contains('\\'))
            throw new FluidException($"partial '{name}' must be a plain name");
        var file = Path.Combine(Files.Root, "_partials", $"_{name}.liquid");
        if (!Files.Folder.Exists(file)) throw new FluidException($"partial '{name}' not found: expected {file}");
        return Load(file);
    }

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
}
