using Automation.Core.Journeys;
using Automation.Core.Points;
using Automation.Core.Rewards;
using Automation.Core.Storage;
using Automation.Server.Http;

namespace Automation.Server.Apis;

/// <summary>
/// The rewards catalog (积分商城): <c>GET /v1/rewards</c>, <c>GET /v1/customers/{id}/rewards</c> (what the customer can
/// redeem now, and why not), <c>POST /v1/customers/{id}/rewards/{item}/redeem</c> (with an <c>Idempotency-Key</c>), and
/// for the shop's fulfilment <c>GET /v1/rewards/redemptions</c>, <c>POST …/{redemptionId}/fulfil</c> and <c>…/cancel</c>.
/// </summary>
internal static class RewardsApi
{
    private const int MaxPage = 500;
    private const int MaxTrackingLength = 200;

    public sealed record ItemResponse(string Name, string Title, string Kind, int Points, decimal Value, int? Stock, long? Left, IReadOnlyList<string> Tiers,
        int? PerCustomer, string Period, bool Enabled, string? Campaign, string? Charity);

    /// <summary>An item as one customer sees it: whether they can redeem it now, and the reason (a refusal code) when not.</summary>
    public sealed record OfferResponse(ItemResponse Item, bool CanRedeem, string? Reason, string? Detail);

    public sealed record RedemptionResponse(long Id, string Customer, string Item, string Kind, int Points, decimal Value, string Status, string? CouponCode,
        string? Charity, string? Tracking, string RequestKey, DateTimeOffset RedeemedAt, DateTimeOffset? FulfilledAt, DateTimeOffset? CancelledAt);

    public sealed record FulfilRequest(string? Tracking);

    public static ApiRoutes MapRewardsApi(this ApiRoutes v1)
    {
        v1.Read.MapGet("/rewards", async (RewardCatalog catalog, IRewardQueries queries, IHostEnvironment environment, CancellationToken ct) =>
        {
            var taken = await queries.RewardStockTakenAsync(ct);
            var root = environment.ContentRootPath;
            return Results.Ok(new
            {
                items = (catalog.Program?.Items ?? []).Select(i => Describe(i, taken)).ToList(),
                problems = catalog.Problems.Select(p => (p with { File = Path.GetRelativePath(root, p.File) }).ToString()).ToList(),
            });
        });

        v1.Read.MapGet("/customers/{id}/rewards", async (string id, ICustomerStore customers, IIngestionStore store, RewardCatalog catalog, IRewardQueries queries,
            RewardRedemptions redemptions, TimeProvider clock, CancellationToken ct) =>
        {
            if (await customers.FindAsync(id, ct) is not { } customer) return NotFoundProblem.Customer(id);
            var taken = await queries.RewardStockTakenAsync(ct);
            var offers = new List<OfferResponse>();
            // Each item is tried as a redemption that is never committed: the answer is the one redeeming would give now.
            foreach (var item in catalog.Program?.Items ?? [])
            {
                await using var tx = await store.BeginAsync(ct);
                var result = await redemptions.RedeemAsync(tx, item, customer.Profile.Id, $"dry-run:{Guid.NewGuid():N}", clock.GetUtcNow(), ct);
                offers.Add(new OfferResponse(Describe(item, taken), result.Refusal is null, result.Refusal is { } r ? Code(r.Reason) : null, result.Refusal?.Detail));
            }
            return Results.Ok(new { customer = id, offers });
        });

        v1.Admin.MapPost("/customers/{id}/rewards/{item}/redeem", async (string id, string item, HttpRequest request, ICustomerStore customers, IIngestionStore store,
            RewardCatalog catalog, RewardRedemptions redemptions, JourneyEngine journeys, TimeProvider clock, CancellationToken ct) =>
        {
            var key = request.Headers["Idempotency-Key"].FirstOrDefault();
            if (string.IsNullOrWhiteSpace(key) || key.Length > DrawsApi.MaxKeyLength)
                return ValidationProblem.For("Idempotency-Key", $"the header is required: a key of at most {DrawsApi.MaxKeyLength} characters that the shop makes once per redemption and sends again on a retry");
            if (catalog.Find(item) is not { } offered) return UnknownItem(item);
            if (await customers.FindAsync(id, ct) is not { } customer) return NotFoundProblem.Customer(id);
            var now = clock.GetUtcNow();
            await using var tx = await store.BeginAsync(ct);
            var result = await redemptions.RedeemAsync(tx, offered, customer.Profile.Id, key, now, ct);
            // A refusal may come after stock or the customer's limit was claimed: leaving without commit rolls them back.
            if (result.Refusal is { } refusal) return Refused(refusal, result.Balance);
            await journeys.OnEventsAsync(tx, result.Events, now, ct);
            await tx.CommitAsync(ct);
            return Results.Ok(new { redemption = Response(result.Redemption!, id), balance = result.Balance, replayed = result.Replayed });
        });

        v1.Admin.MapGet("/rewards/redemptions", async (string? status, long? before, int? limit, IRewardQueries queries, CancellationToken ct) =>
        {
            if (limit is < 1 or > MaxPage) return ValidationProblem.For("limit", $"must be from 1 to {MaxPage}");
            if (status is not (null or RewardStatuses.Pending or RewardStatuses.Fulfilled or RewardStatuses.Cancelled))
                return ValidationProblem.For("status", "must be pending, fulfilled or cancelled");
            var lines = await queries.RewardRedemptionsAsync(status, before, limit ?? 100, ct);
            return Results.Ok(new { redemptions = lines.Select(l => Response(l.Redemption, l.Customer)).ToList() });
        });

        v1.Admin.MapPost("/rewards/redemptions/{redemptionId}/fulfil", async (long redemptionId, FulfilRequest? body, IIngestionStore store, TimeProvider clock, CancellationToken ct) =>
        {
            if (body?.Tracking is { Length: > MaxTrackingLength }) return ValidationProblem.For("tracking", $"must be at most {MaxTrackingLength} characters");
            await using var tx = await store.BeginAsync(ct);
            var result = await RewardRedemptions.FulfilAsync(tx, redemptionId, string.IsNullOrWhiteSpace(body?.Tracking) ? null : body.Tracking.Trim(), clock.GetUtcNow(), ct);
            if (result.Refusal is { } refusal) return Refused(refusal, null);
            await tx.CommitAsync(ct);
            return Results.Ok(new { redemption = Response(result.Redemption!, null), replayed = result.Replayed });
        });

        v1.Admin.MapPost("/rewards/redemptions/{redemptionId}/cancel", async (long redemptionId, IIngestionStore store, RewardRedemptions redemptions, JourneyEngine journeys,
            TimeProvider clock, CancellationToken ct) =>
        {
            var now = clock.GetUtcNow();
            await using var tx = await store.BeginAsync(ct);
            var result = await redemptions.CancelAsync(tx, redemptionId, now, ct);
            if (result.Refusal is { } refusal) return Refused(refusal, result.Balance);
            await journeys.OnEventsAsync(tx, result.Events, now, ct);
            await tx.CommitAsync(ct);
            return Results.Ok(new { redemption = Response(result.Redemption!, null), balance = result.Balance, replayed = result.Replayed });
        });
        return v1;
    }

    private static ItemResponse Describe(RewardItem item, IReadOnlyDictionary<string, long> taken) =>
        new(item.Name, item.Title, RewardKinds.Text(item.Kind), item.Points, item.Value, item.Stock,
            item.Stock is { } stock ? Math.Max(0, stock - taken.GetValueOrDefault(item.Name)) : null, item.Tiers, item.PerCustomer,
            item.Period.ToString().ToLowerInvariant(), item.Enabled, item.Campaign, item.Charity);

    private static RedemptionResponse Response(RewardRedemption r, string? customer) =>
        new(r.Id, customer ?? r.Start.CustomerId.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Start.Item, r.Start.Kind, r.Start.Points, r.Start.Value,
            r.Status, r.CouponCode, r.Start.Charity, r.Tracking, r.Start.RequestKey, r.Start.RedeemedAt, r.FulfilledAt, r.CancelledAt);

    private static IResult UnknownItem(string item) => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Reward not found",
        detail: $"No item of rules/rewards.json is named '{item}' (GET /v1/rewards lists them).", extensions: new Dictionary<string, object?> { ["reason"] = "unknown-item" });

    private static string Code(RewardRefusalReason reason) => reason switch
    {
        RewardRefusalReason.Disabled => "disabled",
        RewardRefusalReason.TierNotAllowed => "tier-not-allowed",
        RewardRefusalReason.NotEnoughPoints => "not-enough-points",
        RewardRefusalReason.OutOfStock => "out-of-stock",
        RewardRefusalReason.LimitReached => "limit-reached",
        RewardRefusalReason.CouponUnavailable => "coupon-unavailable",
        RewardRefusalReason.KeyUsedForAnotherItem => "key-reused",
        RewardRefusalReason.NotFound => "unknown-redemption",
        RewardRefusalReason.CouponUsed => "coupon-used",
        RewardRefusalReason.AlreadyFulfilled => "already-fulfilled",
        RewardRefusalReason.AlreadyCancelled => "already-cancelled",
        _ => "not-a-gift",
    };

    private static IResult Refused(RewardRefusal refusal, long? balance)
    {
        var (status, title) = refusal.Reason switch
        {
            RewardRefusalReason.NotFound => (StatusCodes.Status404NotFound, "Redemption not found"),
            RewardRefusalReason.LimitReached => (StatusCodes.Status429TooManyRequests, "Limit reached"),
            RewardRefusalReason.KeyUsedForAnotherItem => (StatusCodes.Status422UnprocessableEntity, "Idempotency key already used"),
            RewardRefusalReason.NotEnoughPoints => (StatusCodes.Status409Conflict, "Not enough points"),
            RewardRefusalReason.OutOfStock => (StatusCodes.Status409Conflict, "Out of stock"),
            RewardRefusalReason.TierNotAllowed => (StatusCodes.Status409Conflict, "Tier not allowed"),
            RewardRefusalReason.Disabled => (StatusCodes.Status409Conflict, "Reward disabled"),
            _ => (StatusCodes.Status409Conflict, "Not possible"),
        };
        var extensions = new Dictionary<string, object?> { ["reason"] = Code(refusal.Reason) };
        if (balance is { } b) extensions["balance"] = b;
        return Results.Problem(statusCode: status, title: title, detail: refusal.Detail, extensions: extensions);
    }
}
