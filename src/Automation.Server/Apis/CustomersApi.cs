using System.Text.Json.Nodes;
using Automation.Core.Customers;
using Automation.Core.Storage;
using Automation.Server.Http;

namespace Automation.Server.Apis;

/// <summary>Reading customers: <c>GET /v1/customers/{id}</c>.</summary>
internal static class CustomersApi
{
    public static ApiRoutes MapCustomersApi(this ApiRoutes v1)
    {
        v1.Read.MapGet("/customers/{id}", async (string id, ICustomerStore customers, IJourneyQueries journeys, TimeProvider clock, CancellationToken ct) =>
        {
            if (await customers.FindAsync(id, ct) is not { } snapshot)
                return NotFoundProblem.Customer(id);
            var instances = await journeys.InstancesOfAsync(snapshot.Profile.Id, ct);
            var messages = await journeys.MessagesOfAsync(snapshot.Profile.Id, ct);
            return Results.Ok(CustomerResponse.From(snapshot, instances, messages, clock.GetUtcNow()));
        });
        return v1;
    }

    /// <summary>A customer as the API shows it; <c>GET …/tier</c> and <c>GET …/points</c> tell more of the tier and points.</summary>
    public sealed record CustomerResponse(
        string? Id,
        string? AnonymousId,
        string? Email,
        string? Phone,
        string? Name,
        DateOnly? Birthday,
        string? Timezone,
        string? Locale,
        JsonObject Traits,
        DateTimeOffset CreatedAt,
        DateTimeOffset UpdatedAt,
        StatsResponse Stats,
        RfmScore? Rfm,
        CartResponse? Cart,
        IReadOnlyList<string> Tags,
        string? Tier,
        PointsResponse Points,
        IReadOnlyList<JourneyInstanceView> Journeys,
        IReadOnlyList<OutboxView> Messages)
    {
        public static CustomerResponse From(CustomerSnapshot s, IReadOnlyList<JourneyInstanceView> journeys, IReadOnlyList<OutboxView> messages, DateTimeOffset now) => new(
            s.Profile.ExternalId, s.Profile.AnonymousId, s.Profile.Email, s.Profile.Phone, s.Profile.Name, s.Profile.Birthday,
            s.Profile.Timezone, s.Profile.Locale, s.Profile.Traits, s.Profile.CreatedAt, s.Profile.UpdatedAt,
            new StatsResponse(s.Stats.OrderCount, s.Stats.TotalSpent, s.Stats.FirstOrderAt, s.Stats.LastOrderAt,
                s.Stats.MeanOrderIntervalDays is { } d ? Math.Round(d, 2) : null, s.Stats.DaysSinceLastOrder(now)),
            s.Rfm,
            s.Cart is { } c ? new CartResponse(c.Items, c.ItemCount, c.Value, c.Currency, c.UpdatedAt, Math.Round(c.HoursSinceLastChange(now), 2)) : null,
            s.Tags, s.Tier?.Tier, new PointsResponse(s.PointsBalance(now)), journeys, messages);
    }

    public sealed record StatsResponse(int OrderCount, decimal TotalSpent, DateTimeOffset? FirstOrderAt, DateTimeOffset? LastOrderAt,
        double? MeanOrderIntervalDays, int? DaysSinceLastOrder);

    public sealed record CartResponse(IReadOnlyList<ProductLine> Items, int ItemCount, decimal Value, string? Currency,
        DateTimeOffset UpdatedAt, double HoursSinceLastChange);

    public sealed record PointsResponse(long Balance);
}
