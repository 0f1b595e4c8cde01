using System.Text.Json.Nodes;
using Automation.Core.Customers;
using Automation.Core.Ingestion;
using Automation.Core.Storage;

namespace Automation.Core.Referrals;

/// <summary>
/// Attributes a new customer to the customer who brought them, by a team they joined or a referral code they came
/// with. Only a customer who has not ordered yet is new; the first attribution wins (one row per referred customer).
/// Each attribution is recorded as a <c>Referred</c> event on the referred customer (properties <c>referrer</c>, the
/// referrer's user id, and <c>source</c>, <c>team</c> or <c>code</c>); rules read it as <c>customer.ReferredBy</c>.
/// </summary>
public static class ReferralAttribution
{
    public const string Referred = "Referred";
    public const string ByTeam = "team";
    public const string ByCode = "code";

    /// <summary>Attributes the customer unless they ordered already, are the referrer, or were attributed before; returns the <c>Referred</c> event, not yet stored.</summary>
    public static async Task<(InboundMessage Message, long CustomerId)?> AttributeIfNewAsync(IJourneyTransaction tx, long referredId, long referrerId, string source,
        DateTimeOffset now, CancellationToken ct)
    {
        if (referredId == referrerId) return null;
        var snapshots = (await tx.LoadSnapshotsAsync([referredId, referrerId], SnapshotParts.Stats, ct)).ToDictionary(s => s.Profile.Id);
        if (!snapshots.TryGetValue(referredId, out var referred) || !snapshots.TryGetValue(referrerId, out var referrer) || referred.Stats.OrderCount > 0) return null;
        if (!await tx.AttributeAsync(referredId, referrerId, source, now, ct)) return null;
        var properties = new JsonObject
        {
            ["referrer"] = referrer.Profile.ExternalId ?? referrer.Profile.AnonymousId,
            ["source"] = source,
        };
        return (DerivedEvents.Create(referredId, Referred, "referred", source, properties, now), referredId);
    }
}
