using System.Text.Json;
using System.Text.Json.Nodes;
using Automation.Core.Coupons;
using Automation.Core.Ingestion;
using Automation.Core.Storage;
using Automation.Server.Http;

namespace Automation.Server.Apis;

/// <summary>
/// <c>POST /v1/coupons/{campaign}/codes</c> <c>{ "codes": ["A1B2C3", …] }</c>: adds the shop's codes to a campaign that
/// imports them (<c>"Codes": { "Import": true }</c>), all or none; see docs/api.md.
/// </summary>
internal static class CouponsApi
{
    /// <summary>Codes a request may carry: a larger list goes in several requests, or through <c>automation coupons import</c>.</summary>
    public const int MaxCodesPerRequest = 10_000;

    /// <summary>Room for <see cref="MaxCodesPerRequest"/> codes of the longest length, quoted.</summary>
    public const int BodyLimit = 1024 * 1024;

    /// <summary>The most field errors one answer lists: a wrong file pasted whole would otherwise list every line.</summary>
    private const int MaxErrors = 20;

    /// <summary>The request body (documented for OpenAPI; read by hand so each bad code is named).</summary>
    public sealed record ImportRequest(IReadOnlyList<string> Codes);

    public static ApiRoutes MapCouponsApi(this ApiRoutes v1)
    {
        v1.Admin.MapPost("/coupons/{campaign}/codes", async (string campaign, HttpRequest request, CouponCatalog catalog, ICouponStore store, TimeProvider clock, CancellationToken ct) =>
        {
            if (catalog.Find(campaign) is not { } found) return CampaignProblem.Unknown(campaign);
            if (!found.Imported) return CampaignProblem.Generated(campaign);
            var (body, problem) = await RequestBody.ReadAsync(request, BodyLimit, ct);
            if (problem is not null) return problem;
            var (codes, errors) = ReadCodes(body!);
            if (errors.Count > 0) return ValidationProblem.For(errors);
            return Results.Ok(await store.ImportCodesAsync(campaign, codes, clock.GetUtcNow(), ct));
        }).Accepts<ImportRequest>("application/json").Produces<CouponImport>();
        return v1;
    }

    private static (IReadOnlyList<string> Codes, IReadOnlyList<FieldError> Errors) ReadCodes(byte[] body)
    {
        JsonNode? document;
        try
        {
            document = JsonNode.Parse(body);
        }
        catch (JsonException e)
        {
            return ([], [new FieldError("body", $"is not JSON: {e.Message}")]);
        }
        if (document is not JsonObject { } top || top["codes"] is not JsonArray list)
            return ([], [new FieldError("codes", "is required: a list of codes such as { \"codes\": [\"A1B2C3\", \"D4E5F6\"] }")]);
        if (list.Count == 0) return ([], [new FieldError("codes", "is empty: give at least one code")]);
        if (list.Count > MaxCodesPerRequest)
            return ([], [new FieldError("codes", $"holds {list.Count} codes; a request takes at most {MaxCodesPerRequest}: split the list, or use automation coupons import")]);
        var codes = new List<string>(list.Count);
        var errors = new List<FieldError>();
        for (var i = 0; i < list.Count && errors.Count < MaxErrors; i++)
        {
            var (code, reason) = Code(list[i]);
            if ((reason ?? ImportedCodes.Problem(code)) is { } problem) errors.Add(new FieldError($"codes[{i}]", problem));
            else codes.Add(code!);
        }
        return (codes, errors);
    }

    private static (string? Code, string? Problem) Code(JsonNode? node)
    {
        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.String) return (null, "must be a string");
        try
        {
            return (value.GetValue<string>(), null);
        }
        catch (InvalidOperationException)
        {
            // An escape such as \ud800 decodes to a lone surrogate, which is no text.
            return (null, "holds a lone surrogate (an escape such as \\ud800 alone), which is no text");
        }
    }
}

/// <summary>The answers for a campaign that cannot take codes, naming the <c>campaign</c> field.</summary>
internal static class CampaignProblem
{
    public static IResult Unknown(string campaign) => Problem(StatusCodes.Status404NotFound, "Campaign not found",
        $"no campaign '{campaign}' is in force (rules/coupons/{campaign}.json)");

    public static IResult Generated(string campaign) => Problem(StatusCodes.Status409Conflict, "Campaign generates its codes",
        $"'{campaign}' generates its codes; only a campaign with \"Codes\": {{ \"Import\": true }} takes the shop's codes");

    private static IResult Problem(int status, string title, string message) => Results.Problem(statusCode: status, title: title,
        detail: new FieldError("campaign", message).ToString(),
        extensions: new Dictionary<string, object?> { ["errors"] = new[] { new { field = "campaign", message } } });
}
