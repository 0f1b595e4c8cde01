using System.Text.Json.Nodes;
using Automation.Core.Customers;
using Automation.Core.Storage;

namespace Automation.Server.MarketerConsole.Editing;

/// <summary>The customer a draft is previewed or simulated for: found by id, or by email when exactly one customer has it.</summary>
internal static class DraftCustomers
{
    public static async Task<CustomerSnapshot?> FindAsync(ICustomerStore customers, string term, CancellationToken ct)
    {
        if (await customers.FindAsync(term, ct) is { } byId) return byId;
        var matches = (await customers.SearchAsync(term, 2, ct)).Where(m => string.Equals(m.Email, term, StringComparison.OrdinalIgnoreCase)).ToList();
        return matches is [var match] ? await customers.FindAsync(match.ExternalId ?? match.AnonymousId!, ct) : null;
    }

    /// <summary>The identify body a simulation starts from for a stored customer: who they are and how to reach them.</summary>
    public static JsonObject Identify(CustomerProfile profile) => new()
    {
        ["userId"] = profile.ExternalId ?? profile.AnonymousId,
        ["traits"] = new JsonObject
        {
            ["email"] = profile.Email, ["phone"] = profile.Phone, ["name"] = profile.Name, ["timezone"] = profile.Timezone, ["locale"] = profile.Locale,
        },
    };
}
