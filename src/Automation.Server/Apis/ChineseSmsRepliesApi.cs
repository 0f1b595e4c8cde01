using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Automation.Core.Ingestion;
using Automation.Core.Messaging.Replies;
using Automation.Server.Http;
using Microsoft.Extensions.Options;

namespace Automation.Server.Apis;

/// <summary>
/// Customers' SMS replies pushed by the Chinese providers, applied by <see cref="InboundReplies"/>:
/// <list type="bullet">
/// <item><c>POST /aliyun/sms/replies?token=…</c>: Aliyun's SmsUp HTTP batch push, a JSON array of
/// <c>{phone_number, content, sign_name, send_time, dest_code, sequence_id}</c>, answered <c>{"code":0,"msg":"接收成功"}</c> (the sample of Aliyun's SmsUp documentation; Aliyun reads <c>code</c> 0 as received).</item>
/// <item><c>POST /tencent/sms/replies?token=…</c>: Tencent Cloud's reply callback,
/// <c>{mobile, nationcode, text, sign, time, extend}</c> (or an array of them), answered <c>{"result":0,"errmsg":"OK"}</c>.</item>
/// </list>
/// Neither provider signs these, so the token in the address (<see cref="SmsCallbackOptions"/>) is the credential: a wrong
/// one is 403, and without one configured the route is 404. A body that cannot be read is a 400 naming the field and
/// nothing of it is applied; a reply from a number that is not a phone number is skipped (logged), not a failed batch.
/// </summary>
internal static partial class ChineseSmsRepliesApi
{
    public const string AliyunPath = "/aliyun/sms/replies";
    public const string TencentPath = "/tencent/sms/replies";

    /// <summary>Aliyun's send_time is Beijing time without an offset.</summary>
    private static readonly TimeSpan ChinaStandardTime = TimeSpan.FromHours(8);

    public static IEndpointRouteBuilder MapChineseSmsRepliesApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(AliyunPath, (HttpRequest request, IOptions<SmsCallbackOptions> options, InboundReplies replies, ILoggerFactory logs, CancellationToken ct) =>
            HandleAsync(request, options.Value.AliyunCallbackToken, "aliyun", ReadAliyun, Results.Json(new { code = 0, msg = "接收成功" }), replies, logs, ct))
            .DisableAntiforgery();
        app.MapPost(TencentPath, (HttpRequest request, IOptions<SmsCallbackOptions> options, InboundReplies replies, ILoggerFactory logs, CancellationToken ct) =>
            HandleAsync(request, options.Value.TencentCallbackToken, "tencent", ReadTencent, Results.Json(new { result = 0, errmsg = "OK" }), replies, logs, ct))
            .DisableAntiforgery();
        return app;
    }

    /// <summary>One reply read from the body, or the field that was wrong; Sender is null for a number that is not one.</summary>
    private sealed record ReadReply(InboundReply? Reply, string RawNumber, FieldError? Error);

    private static async Task<IResult> HandleAsync(HttpRequest request, string? configuredToken, string provider,
        Func<JsonElement, string, ReadReply> read, IResult accepted, InboundReplies replies, ILoggerFactory logs, CancellationToken ct)
    {
        if (configuredToken is null) return NotFoundProblem.Route(request);
        if (!SmsCallbackOptions.Matches(configuredToken, request.Query["token"])) return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");
        JsonElement body;
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
            body = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            return ValidationProblem.For("body", $"not JSON: {e.Message}");
        }
        var items = body.ValueKind == JsonValueKind.Array ? body.EnumerateArray().Select((e, i) => (e, $"[{i}]")).ToList() : [(body, "")];
        var parsed = items.Select(item => item.e.ValueKind == JsonValueKind.Object
            ? read(item.e, item.Item2)
            : new ReadReply(null, "", new FieldError(item.Item2 == "" ? "body" : item.Item2, "a reply is a JSON object"))).ToList();
        if (parsed.Where(r => r.Error is not null).Select(r => r.Error!).ToList() is { Count: > 0 } errors) return ValidationProblem.For(errors);

        var logger = logs.CreateLogger(typeof(ChineseSmsRepliesApi));
        foreach (var r in parsed)
        {
            if (r.Reply is null) LogUnusableNumber(logger, provider, r.RawNumber);
            else await replies.HandleAsync(r.Reply, null, ct);
        }
        return accepted;
    }

    private static ReadReply ReadAliyun(JsonElement item, string path)
    {
        var phone = Text(item, "phone_number");
        var sequence = Text(item, "sequence_id");
        if (string.IsNullOrWhiteSpace(phone)) return Missing(path, "phone_number");
        if (string.IsNullOrWhiteSpace(sequence)) return Missing(path, "sequence_id");
        var sentAt = DateTime.TryParseExact(Text(item, "send_time"), "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)
            ? new DateTimeOffset(local, ChinaStandardTime).ToUniversalTime()
            : (DateTimeOffset?)null;
        // Aliyun's domestic service pushes mainland numbers bare (13800138000): read in region CN, as libphonenumber does.
        var sender = ProfileTraits.NormalizePhone(phone, "CN");
        return new ReadReply(sender is null ? null : new InboundReply("aliyun", sequence, "sms", sender, Text(item, "content") ?? "", sentAt), phone, null);
    }

    private static ReadReply ReadTencent(JsonElement item, string path)
    {
        var mobile = Text(item, "mobile");
        var nationCode = Text(item, "nationcode");
        if (string.IsNullOrWhiteSpace(mobile)) return Missing(path, "mobile");
        if (string.IsNullOrWhiteSpace(nationCode)) return Missing(path, "nationcode");
        if (!long.TryParse(Text(item, "time"), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > 253_402_300_799)
            return new ReadReply(null, "", new FieldError(Join(path, "time"), "a reply has its UNIX time in seconds"));
        var text = Text(item, "text") ?? "";
        // Tencent gives a reply no id: the same reply pushed again has the same fields, so their digest is its key.
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{nationCode}\n{mobile}\n{seconds}\n{Text(item, "extend")}\n{text}")));
        var sender = ProfileTraits.NormalizePhone($"+{nationCode.TrimStart('+')}{mobile}");
        return new ReadReply(sender is null ? null : new InboundReply("tencent", key, "sms", sender, text, DateTimeOffset.FromUnixTimeSeconds(seconds)), $"{nationCode} {mobile}", null);
    }

    private static ReadReply Missing(string path, string field) => new(null, "", new FieldError(Join(path, field), $"a reply has a {field}"));

    private static string Join(string path, string field) => path == "" ? field : $"{path}.{field}";

    /// <summary>A property as text, whether the provider sent it as a string or a number.</summary>
    private static string? Text(JsonElement item, string name) => item.TryGetProperty(name, out var value)
        ? value.ValueKind switch { JsonValueKind.String => value.GetString(), JsonValueKind.Number => value.GetRawText(), _ => null }
        : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped a {Provider} SMS reply from '{Number}', which is not a phone number")]
    private static partial void LogUnusableNumber(ILogger logger, string provider, string number);
}
