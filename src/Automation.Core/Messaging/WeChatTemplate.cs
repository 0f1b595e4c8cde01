using System.Text.Json.Nodes;
using static Automation.Core.Messaging.LiquidTemplates;

namespace Automation.Core.Messaging;

/// <summary>
/// A WeChat template message file, <c>&lt;step&gt;.wechat[.&lt;locale&gt;].liquid</c>: front matter names the template
/// approved in the Official Account (<c>template_id:</c>) and where a tap leads (<c>url:</c>, or
/// <c>miniprogram_appid:</c> with <c>miniprogram_pagepath:</c>); each body line <c>key: value</c> fills the template's
/// field <c>{{key.DATA}}</c>. Every value is Liquid, rendered on its own, so a customer's text cannot spill into
/// another field. It renders as the JSON the channel posts, less the recipient.
/// </summary>
public sealed record WeChatTemplate(ParsedPart TemplateId, ParsedPart? Url, ParsedPart? MiniProgramAppId, ParsedPart? MiniProgramPagePath,
    IReadOnlyList<(string Key, ParsedPart Value)> Fields)
{
    /// <summary>The front matter keys a WeChat file takes.</summary>
    public static readonly string[] FrontMatterKeys = ["template_id", "url", "miniprogram_appid", "miniprogram_pagepath"];

    /// <summary>Whether a template file is a WeChat one, by its channel part.</summary>
    public static bool IsWeChatFile(string path) => System.IO.Path.GetFileName(path).Split('.') is [_, "wechat", ..] and { Length: > 2 };

    /// <summary>Reads the front matter and the field lines, throwing <see cref="TemplateException"/> naming the line.</summary>
    internal static WeChatTemplate Parse(string path, IReadOnlyDictionary<string, (string Value, int Line)> front, string[] bodyLines, int firstLine,
        Func<string, int, ParsedPart> part)
    {
        if (!front.TryGetValue("template_id", out var templateId) || templateId.Value.Length == 0)
            throw new TemplateException(path, 1, "a WeChat template needs 'template_id:' in its front matter (the id of the template approved in the Official Account)");
        ParsedPart? Optional(string key) => front.TryGetValue(key, out var v) ? part(v.Value, v.Line) : null;
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
            fields.Add((key, part(line[(colon + 1)..].Trim(), firstLine + i)));
        }
        if (fields.Count == 0) throw new TemplateException(path, firstLine, "a WeChat template fills at least one field ('keyword1: …')");
        return new WeChatTemplate(part(templateId.Value, templateId.Line), Optional("url"), appId, pagePath, fields);
    }

    /// <summary>The message as WeChat's template/send takes it, less <c>touser</c>: each part through <paramref name="render"/>.</summary>
    internal string Render(Func<ParsedPart, string> render)
    {
        var data = new JsonObject();
        foreach (var (key, value) in Fields) data[key] = new JsonObject { ["value"] = render(value).Trim() };
        var message = new JsonObject { ["template_id"] = render(TemplateId).Trim() };
        if (Url is not null) message["url"] = render(Url).Trim();
        if (MiniProgramAppId is not null && MiniProgramPagePath is not null)
            message["miniprogram"] = new JsonObject { ["appid"] = render(MiniProgramAppId).Trim(), ["pagepath"] = render(MiniProgramPagePath).Trim() };
        message["data"] = data;
        return message.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }
}
