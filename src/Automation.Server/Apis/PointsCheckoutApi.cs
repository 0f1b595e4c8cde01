using Automation.Core.Points;
using Automation.Core.Storage;
using Automation.Server.Configuration;
using Automation.Server.Http;
using Microsoft.Extensions.Options;

namespace Automation.Server.Apis;

/// <summary>
/// Points at checkout: <c>POST /v1/customers/{id}/points/quote</c> says what the order may use, <c>…/points/commit</c>
/// spends a quote once per <c>Idempotency-Key</c>, and <c>…/points/commits/{key}/cancel</c> gives it back once.
/// </summary>
internal static class PointsCheckoutApi
{
    public sealed record QuoteRequest(decimal? OrderTotal, string? Currency, int? Points, string? OrderId);

    public sealed record CommitRequest(string? QuoteId, string? IdempotencyKey);

    public static ApiRoutes MapPointsCheckoutApi(this ApiRoutes v1)
    {
        // A quote writes nothing: no write transaction (SQLite's writer lock) just to look.
        v1.Read.MapPost("/customers/{id}/points/quote", async (string id, QuoteRequest? body, ICustomerStore customers, PointsSettings settings,
            IOptions<TemplatesOptions> templates, TimeProvider clock, CancellationToken ct) =>
        {
            var currency = templates.Value.DefaultCurrency;
            if (body?.OrderTotal is not ({ } total and > 0m and <= 1_000_000_000m)) return ValidationProblem.For("orderTotal", "must be a number above 0 and at most 1,000,000,000");
            if (string.IsNullOrWhiteSpace(body.Currency)) return ValidationProblem.For("currency", "is required (an ISO 4217 code)");
            if (!string.Equals(body.Currency, currency, StringComparison.OrdinalIgnoreCase))
                return ValidationProblem.For("currency", $"must be {currency}, the currency points are worth ({body.Currency} is not)");
            if (body.Points is < 0) return ValidationProblem.For("points", "must be a whole number of 0 or more");
            if (body.OrderId is { Length: > 200 }) return ValidationProblem.For("orderId", "must be at most 200 characters");
            if (await customers.FindAsync(id, ct) is not { } customer) return NotFoundProblem.Customer(id);

            var now = clock.GetUtcNow();
            var balance = customer.PointsBalance(now);
            var allowed = PointsCheckout.Allow(settings, total, balance, body.Points);
            var quote = new PointsQuote(id, allowed.Points, total, currency, body.OrderId, now.AddMinutes(settings.QuoteMinutes));
            return Results.Ok(new
            {
                quoteId = allowed.Points > 0 ? quote.Id : null,
                points = allowed.Points,
                value = allowed.Value,
                currency,
                limitedBy = allowed.LimitedBy,
                balance,
                minimumRedemption = settings.MinimumRedemption,
                maxOrderShare = settings.MaxOrderShare,
                expiresAt = allowed.Points > 0 ? quote.ExpiresAt : (DateTimeOffset?)null,
            });
        });

        v1.Admin.MapPost("/customers/{id}/points/commit", async (string id, CommitRequest? body, HttpRequest request, ICustomerStore customers, IIngestionStore store,
            PointsSettings settings, TimeProvider clock, CancellationToken ct) =>
        {
            if (IdempotencyKey(body?.IdempotencyKey, request) is not { } key) return KeyProblem;
            if (string.IsNullOrWhiteSpace(body?.QuoteId)) return ValidationProblem.For("quoteId", "is required: the quoteId of POST …/points/quote");
            if (PointsQuote.FromId(body.QuoteId) is not { } quote) return ValidationProblem.For("quoteId", "is not a quote this server issued");
            if (quote.CustomerId != id) return ValidationProblem.For("quoteId", $"was issued for another customer, not {id}");
            if (await customers.FindAsync(id, ct) is not { } customer) return NotFoundProblem.Customer(id);

            await using var tx = await store.BeginAsync(ct);
            var result = await PointsRedemption.CommitAsync(tx, customer.Profile.Id, quote, key, settings, clock.GetUtcNow(), ct);
            if (result.Refusal is not null)
                return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Points not committed", detail: result.Refusal,
                    extensions: new Dictionary<string, object?> { ["balance"] = result.Balance });
            await tx.CommitAsync(ct);
            return Results.Ok(new { committed = result.Points, value = result.Points * settings.Value, currency = quote.Currency, orderId = quote.OrderId, balance = result.Balance, replayed = result.Replayed });
        });

        v1.Admin.MapPost("/customers/{id}/points/commits/{key}/cancel", async (string id, string key, ICustomerStore customers, IIngestionStore store,
            PointsSettings settings, TimeProvider clock, CancellationToken ct) =>
        {
            if (key.Length > 200) return ValidationProblem.For("key", "must be at most 200 characters");
            if (await customers.FindAsync(id, ct) is not { } customer) return NotFoundProblem.Customer(id);
            await using var tx = await store.BeginAsync(ct);
            var result = await PointsRedemption.CancelAsync(tx, customer.Profile.Id, key, settings, clock.GetUtcNow(), ct);
            if (!result.Found)
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Commit not found", detail: $"customer {id} has no points commit with the key {key}");
            await tx.CommitAsync(ct);
            return Results.Ok(new { restored = result.Points, balance = result.Balance, replayed = result.Replayed });
        });
        return v1;
    }

    /// <summary>The body's <c>idempotencyKey</c>, else the <c>Idempotency-Key</c> header; null when neither is usable.</summary>
    public static string? IdempotencyKey(string? fromBody, HttpRequest request) =>
        (fromBody ?? request.Headers["Idempotency-Key"].FirstOrDefault()) is { Length: > 0 and <= 200 } key && !string.IsNullOrWhiteSpace(key) ? key : null;

    public static IResult KeyProblem => ValidationProblem.For("idempotencyKey", "is required (or the Idempotency-Key header), at most 200 characters");
}
