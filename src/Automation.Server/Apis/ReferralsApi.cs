using Automation.Core.Referrals;
using Automation.Core.Storage;
using Automation.Server.Http;

namespace Automation.Server.Apis;

/// <summary>
/// <c>GET /v1/customers/{id}/referral</c>: the customer's referral code and link (rules/referrals.json's <c>Link</c>),
/// who referred them, and how many customers they referred have ordered. The shop passes the code back as the
/// <c>referral</c> trait of the new customer's <c>identify</c>.
/// </summary>
internal static class ReferralsApi
{
    public static ApiRoutes MapReferralsApi(this ApiRoutes v1)
    {
        v1.Read.MapGet("/customers/{id}/referral", async (string id, ICustomerStore customers, ReferralCodes codes, ReferralCatalog program, CancellationToken ct) =>
        {
            if (await customers.FindAsync(id, ct) is not { } customer) return NotFoundProblem.Customer(id);
            var code = codes.CodeFor(customer.Profile.Id);
            return Results.Ok(new { code, link = program.Program?.LinkFor(code), referredBy = customer.ReferredBy, referrals = customer.Referrals });
        });
        return v1;
    }
}
