using Automation.Core.Ingestion;
using Automation.Core.Storage;

namespace Automation.Core.Referrals;

/// <summary>
/// What ingestion does for referrals, inside its transaction: an <c>identify</c> whose traits carry <c>referral</c>
/// (the code the customer came with) attributes them to its owner; an order notes a referred customer's first order,
/// which the rewarder pays for once the refund window has passed.
/// </summary>
public sealed class ReferralIntake(ReferralCodes codes)
{
    /// <summary>The identify trait that carries the referral code.</summary>
    public const string Trait = "referral";

    /// <summary>Attributes the customers whose identify carries a valid code of another customer; returns the <c>Referred</c> events, stored.</summary>
    public async Task<IReadOnlyList<(InboundMessage Message, long CustomerId)>> OnIdentifiesAsync(IIngestTransaction tx, IEnumerable<(InboundMessage Message, long CustomerId)> fresh,
        DateTimeOffset now, CancellationToken ct)
    {
        var events = new List<(InboundMessage Message, long CustomerId)>();
        foreach (var (message, customerId) in fresh)
        {
            if (message.Type != MessageType.Identify || message.Properties[Trait] is not System.Text.Json.Nodes.JsonValue value
                || !value.TryGetValue<string>(out var code) || codes.Read(code) is not { } referrerId) continue;
            if (await ReferralAttribution.AttributeIfNewAsync(tx, customerId, referrerId, ReferralAttribution.ByCode, now, ct) is { } referred) events.Add(referred);
        }
        await DerivedEvents.StoreAsync(tx, events, ct);
        return events;
    }

    /// <summary>Notes each order as its customer's first if they were referred and it is; returns the referrers whose count of ordering referrals rose.</summary>
    public static async Task<IReadOnlyCollection<long>> OnOrdersAsync(IIngestTransaction tx, IReadOnlyList<(long CustomerId, string OrderId, DateTimeOffset At)> orders, CancellationToken ct)
    {
        var noted = await tx.RecordFirstOrdersAsync(orders, ct);
        return noted.Count == 0 ? [] : await tx.ReferrersOfAsync(noted, ct);
    }
}
