using System.Text.Json.Nodes;
using static Automation.Core.Messaging.LiquidTemplates;

namespace Automation.Core.Messaging;

/// <summary>Which of an Official Account's messages a WeChat file is: a template message (模板消息) or a subscribe message (订阅通知).</summary>
public enum WeChatMessageKind
{
    /// <summary><c>POST /cgi-bin/message/template/send</c>, to followers.</summary>
    Template,

    /// <summary><c>POST /cgi-bin/message/subscribe/bizsend</c>, to followers who accepted the template's subscription.</summary>
    Subscribe,
}

/// <summary>
/// A WeChat message file, <c>&lt;step&gt;.wechat[.&lt;locale&gt;].liquid</c>: front matter names the template
/// approved in the Official Account (<c>template_id:</c>), which kind of message it is (<c>kind: template</c>, the
/// default, or <c>kind: subscribe</c>) and where a tap leads (<c>url:</c>, or <c>miniprogram_appid:</c> with
/// <c>miniprogram_pagepath:</c>); each body line <c>key: value</c> fills the template's field <c>{{key.DATA}}</c>.
/// Every value is Liquid, rendered on its own, so a customer's text cannot spill into another field. It renders as the
/// JSON the channel posts, less the recipient. A subscribe message's values are held to WeChat's limits per field type
/// (<see cref="WeChatSubscribeFields"/>).
/// </summary>
public sealed record WeChatTemplate(WeChatMessageKind Kind, ParsedPart TemplateId, ParsedPart? Url, ParsedPart? MiniProgramAppId, ParsedPart? MiniProgramPagePath,
    IReadOnlyList<(string Key, ParsedPart Value)> Fields)
{
    /// <summary>The front matter keys a WeChat file takes.</summary>
    public static readonly string[] FrontMatterKeys = ["template_id", "kind", "url", "miniprogram_appid", "miniprogram_pagepath"];

    /// <summary>Whether a template file is a WeChat one, by its channel part.</summary>
    public static bool IsWeChatFile(string path) => System.IO.Path.GetFileName(path).Split('.') is [_, "wechat", ..] and { Length: > 2 };

    /// <summary>Reads the front matter and the field lines, throwing <see cref="TemplateException"/> naming the line.</summary>
    internal static WeChatTemplate Parse(string path, IReadOnlyDictionary<string, (string Value, int Line)> front, string[] bodyLines, int firstLine,
        Func<string, int, ParsedPart> part)
    {
        if (!front.TryGetValue("template_id", out var templateId) || templateId.Value.Length == 0)
            throw new TemplateException(path, 1, "a WeChat template needs 'template_id:' in its front matter (the id of the template approved in the Official Account)");
        ParsedPart? Optional(string key) => front.TryGetValue(key, out var v) ? part(v.Value, v.Line) : null;
        var kind = front.TryGetValue("kind", out var k)
            ? k.Value switch
            {
                "template" => WeChatMessageKind.Template,
                "subscribe" => WeChatMessageKind.Subscribe,
                _ => throw new TemplateException(path, k.Line, $"kind is 'template' (模板消息, the default) or 'subscribe' (订阅通知), not '{k.Value}'"),
            }
            : WeChatMessageKind.Template;
        var appId = Optional("miniprogram_appid");
        var pagePath = Optional("miniprogram_pagepath");
        if ((appId is null) != (pagePath is null))
            throw new TemplateException(path, front.TryGetValue("miniprogram_appid", out var a) ? a.Line : front["miniprogram_pagepath"].Line,
                "miniprogram_appid and miniprogram_pagepath go together");

        var fields = new List<(string, ParsedPart)>();
        for (var i = 0; i < bodyLines.Length; i++)
        {
            var line = bodyLines[i];
            if (string.IsNullOrWhiteSpace(line)) continue;
            var colon = line.IndexOf(':');
            var key = colon > 0 ? line[..colon].Trim() : "";
            if (key.Length == 0 || !key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                throw new TemplateException(path, firstLine + i, "each line of a WeChat template is 'field: value', the field as the template names it (first, keyword1, thing2, remark)");
            if (fields.Any(f => f.Item1 == key)) throw new TemplateException(path, firstLine + i, $"field '{key}' is given twice");
            var value = line[(colon + 1)..].Trim();
            if (kind == WeChatMessageKind.Subscribe) CheckSubscribeField(path, firstLine + i, key, value);
            fields.Add((key, part(value, firstLine + i)));
        }
        if (fields.Count == 0) throw new TemplateException(path, firstLine, "a WeChat template fills at least one field ('keyword1: …')");
        return new WeChatTemplate(kind, part(templateId.Value, templateId.Line), Optional("url"), appId, pagePath, fields);
    }

    // A subscribe template's fields are its type and a number; a value without Liquid is what every message will carry.
    private static void CheckSubscribeField(string path, int line, string key, string value)
    {
        if (WeChatSubscribeFields.TypeOf(key) is null)
            throw new TemplateException(path, line, $"'{key}' is not a subscribe message field: they are named by type and number as the template shows them (thing1, time2, amount3)");
        if (!value.Contains("{{", StringComparison.Ordinal) && !value.Contains("{%", StringComparison.Ordinal) && WeChatSubscribeFields.Problem(key, value) is { } problem)
            throw new TemplateException(path, line, problem);
    }

    /// <summary>
    /// The message as WeChat's template/send or subscribe/bizsend takes it, less <c>touser</c>: each part through
    /// <paramref name="render"/>. A subscribe field's rendered value outside WeChat's limits throws, naming its line.
    /// </summary>
    internal string Render(string path, Func<ParsedPart, string> render)
    {
        var data = new JsonObject();
        foreach (var (key, value) in Fields)
        {
            var text = render(value).Trim();
            if (Kind == WeChatMessageKind.Subscribe && WeChatSubscribeFields.Problem(key, text) is { } problem)
                throw new TemplateException(path, value.FirstLine, problem);
            data[key] = new JsonObject { ["value"] = text };
        }
        var message = new JsonObject { ["template_id"] = render(TemplateId).Trim() };
        // A subscribe message names the web page a tap opens `page`; a template message, `url`.
        if (Url is not null) message[Kind == WeChatMessageKind.Subscribe ? "page" : "url"] = render(Url).Trim();
        if (MiniProgramAppId is not null && MiniProgramPagePath is not null)
            message["miniprogram"] = new JsonObject { ["appid"] = render(MiniProgramAppId).Trim(), ["pagepath"] = render(MiniProgramPagePath).Trim() };
        message["data"] = data;
        return message.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }
}
