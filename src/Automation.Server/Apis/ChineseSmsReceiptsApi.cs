using System.Text.Json;
using System.Text.Json.Nodes;
using Automation.Channels;
using Automation.Core.Messaging;
using Automation.Core.Storage;
using Automation.Server.Http;
using Microsoft.Extensions.Options;

namespace Automation.Server.Apis;

/// <summary>
/// Delivery receipts of the Chinese SMS providers, which update the message as <c>/twilio/status</c> does:
/// <c>POST /aliyun/sms/report</c> (Aliyun's SmsReport HTTP push) and <c>POST /tencent/sms/status</c> (Tencent Cloud's
/// status callback), each a JSON array of reports. Neither provider signs its pushes, so the address configured with
/// the provider carries a secret, <c>?token=</c> (<c>CallbackToken</c> of the provider's section, see <see cref="SmsCallbackOptions"/>): a push without it is
/// refused with 403, and without a token configured the route does not exist (404). A report only ever updates a
/// message this server sent under the provider id it names. Each is answered as its provider expects.
/// </summary>
internal static class ChineseSmsReceiptsApi
{
    public const string AliyunPath = "/aliyun/sms/report";
    public const string TencentPath = "/tencent/sms/status";

    public static IEndpointRouteBuilder MapChineseSmsReceiptsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(AliyunPath, (HttpRequest request, IOptions<SmsCallbackOptions> settings, IOutboxStore outbox, CancellationToken ct) =>
            ReceiveAsync(request, settings.Value.AliyunCallbackToken, outbox, report => (
                report["biz_id"]?.ToString(),
                report["success"]?.GetValueKind() == JsonValueKind.True ? MessageStatus.Delivered : MessageStatus.Failed,
                $"Aliyun {report["err_code"]} {report["err_msg"]}".Trim()),
                new JsonObject { ["code"] = 0, ["msg"] = "接收成功" }, ct)).DisableAntiforgery();

        app.MapPost(TencentPath, (HttpRequest request, IOptions<SmsCallbackOptions> settings, IOutboxStore outbox, CancellationToken ct) =>
            ReceiveAsync(request, settings.Value.TencentCallbackToken, outbox, report => (
                report["sid"]?.ToString(),
                report["report_status"]?.ToString() == "SUCCESS" ? MessageStatus.Delivered : MessageStatus.Failed,
                $"Tencent Cloud {report["errmsg"]} {report["description"]}".Trim()),
                new JsonObject { ["result"] = 0, ["errmsg"] = "OK" }, ct)).DisableAntiforgery();
        return app;
    }

    private delegate (string? ProviderId, MessageStatus Status, string Error) ReadReport(JsonObject report);

    private static async Task<IResult> ReceiveAsync(HttpRequest request, string? token, IOutboxStore outbox, ReadReport read, JsonObject answer, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(token)) return NotFoundProblem.Route(request);
        if (!SmsCallbackOptions.Matches(token, request.Query["token"]))
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");

        JsonArray reports;
        try
        {
            reports = await JsonNode.ParseAsync(request.Body, cancellationToken: ct) as JsonArray
                ?? throw new JsonException("not an array");
        }
        catch (JsonException e)
        {
            return ValidationProblem.For("body", $"a delivery report is a JSON array of reports, as the provider posts it: {e.Message}");
        }
        foreach (var report in reports.OfType<JsonObject>())
        {
            var (providerId, status, error) = read(report);
            if (string.IsNullOrEmpty(providerId)) continue;
            await outbox.ReportDeliveryAsync("sms", providerId, status, status == MessageStatus.Failed ? error : null, ct);
        }
        return Results.Json(answer);
    }
}
