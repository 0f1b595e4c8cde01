using Automation.Core.Referrals;
using Automation.Core.Teams;

namespace Automation.Server.Hosting;

/// <summary>
/// Team-split coupons (the campaigns of rules/teams/, share links signed with the server's key, the engine and the
/// service the API calls) and referrals (rules/referrals.json, codes signed with the same key, intake and rewards).
/// </summary>
internal static class TeamServices
{
    public static void AddTeams(this IServiceCollection services)
    {
        services.AddSingleton<TeamCatalog>();
        services.AddSingleton(sp => new TeamLinks(sp.GetRequiredService<ServerSigningKey>().Bytes, MessagingServices.PublicUrl(sp)));
        services.AddSingleton(sp => new TeamEngine(sp.GetRequiredService<TeamCatalog>(), sp.GetRequiredService<Core.Coupons.CouponCatalog>(), sp.GetRequiredService<TeamLinks>(),
            sp.GetRequiredService<Core.Tiers.TierCatalog>()));
        services.AddSingleton<TeamService>();
        services.AddSingleton<TeamExpirer>();
        services.AddSingleton<ReferralCatalog>();
        services.AddSingleton(sp => new ReferralCodes(sp.GetRequiredService<ServerSigningKey>().Bytes));
        services.AddSingleton<ReferralIntake>();
        services.AddSingleton<ReferralRewarder>();
    }
}
