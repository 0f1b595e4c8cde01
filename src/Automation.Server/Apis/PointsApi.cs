using Automation.Core.Points;
using Automation.Core.Storage;
using Automation.Server.Http;

namespace Automation.Server.Apis;

/// <summary>
/// The points ledger: <c>GET /v1/customers/{id}/points</c>, the checkout routes of <see cref="PointsCheckoutApi"/>, and
/// the deprecated <c>POST /v1/customers/{id}/points/redeem</c>, which spends points with no order's rules (kept for
/// shops that call it; answers carry a <c>Deprecation</c> header pointing at <c>points/quote</c> and <c>points/commit</c>).
/// </summary>
internal static class PointsApi
{
    public sealed record RedeemRequest(int? Points, string? IdempotencyKey, string? Reason);

    public sealed record LedgerLine(int Points, string Kind, string Reason, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

    public static ApiRoutes MapPointsApi(this ApiRoutes v1)
    {
        // The customer read already carries the ledger: no write transaction (SQLite's writer lock) just to look.
        v1.Read.MapGet("/customers/{id}/points", async (string id, ICustomerStore customers, TimeProvider clock, CancellationToken ct) =>
        {
            if (await customers.FindAsync(id, ct) is not { } customer) return NotFoundProblem.Customer(id);
            var ledger = customer.PointsLedger;
            return Results.Ok(new
            {
                balance = customer.PointsBalance(clock.GetUtcNow()),
                history = ledger.OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.Id)
                    .Select(e => new LedgerLine(e.Points, e.Kind, e.Reason, e.CreatedAt, e.ExpiresAt)),
            });
        });

        v1.Admin.MapPost("/customers/{id}/points/redeem", async (string id, RedeemRequest? body, HttpRequest request, ICustomerStore customers, IIngestionStore store, TimeProvider clock, CancellationToken ct) =>
        {
            request.HttpContext.Response.Headers["Deprecation"] = "true";
            request.HttpContext.Response.Headers.Link = $"</v1/customers/{Uri.EscapeDataString(id)}/points/quote>; rel=\"successor-version\"";
            if (body?.Points is not ({ } points and > 0)) return ValidationProblem.For("points", "must be a whole number above 0");
            if (PointsCheckoutApi.IdempotencyKey(body.IdempotencyKey, request) is not { } key) return PointsCheckoutApi.KeyProblem;
            if (await customers.FindAsync(id, ct) is not { } customer) return NotFoundProblem.Customer(id);

            await using var tx = await store.BeginAsync(ct);
            var result = await PointsRedemption.RedeemAsync(tx, customer.Profile.Id, points, key, body.Reason ?? "redeemed", clock.GetUtcNow(), ct);
            if (result.Refusal is not null)
                return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not enough points", detail: result.Refusal,
                    extensions: new Dictionary<string, object?> { ["balance"] = result.Balance });
            await tx.CommitAsync(ct);
            return Results.Ok(new { redeemed = result.Points, balance = result.Balance, replayed = result.Replayed });
        });
        return v1.MapPointsCheckoutApi();
    }
}
