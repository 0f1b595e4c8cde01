using Automation.Core.Coupons;
using Automation.Core.Journeys;
using Automation.Core.Storage;
using Automation.Core.Teams;
using Microsoft.Extensions.Logging.Abstractions;

namespace Automation.Tests.Support;

/// <summary>
/// Team-split coupons built as the server builds them, over the shipped rules/coupons and rules/teams (three-split-150,
/// five-split-500) and a storage: each storage given makes one more "node".
/// </summary>
internal sealed class TeamSetup
{
    public static readonly byte[] SigningKey = new byte[32];

    public TeamSetup(IIngestionStore store, TimeProvider clock, Func<long, long>? randomBelow = null, JourneyCatalog? journeys = null)
    {
        var rules = Path.Combine(ServerProcess.RepositoryRoot(), "rules");
        Coupons.ReloadFolder(Path.Combine(rules, "coupons")).Should().BeEmpty();
        Catalog = new TeamCatalog(Coupons);
        Catalog.ReloadFolder(Path.Combine(rules, "teams")).Should().BeEmpty();
        Links = new TeamLinks(SigningKey, "https://automation.example");
        Engine = new TeamEngine(Catalog, Coupons, Links, Tiers, randomBelow);
        Journeys = new JourneyEngine(journeys ?? new JourneyCatalog(), Coupons, NullLogger<JourneyEngine>.Instance, new Automation.Core.Points.PointsSettings(), Tiers, Engine);
        Service = new TeamService(store, Engine, Journeys, clock);
        Expirer = new TeamExpirer(store, Engine, Journeys, clock);
    }

    public CouponCatalog Coupons { get; } = new();
    public Automation.Core.Tiers.TierCatalog Tiers { get; } = new();
    public TeamCatalog Catalog { get; }
    public TeamLinks Links { get; }
    public TeamEngine Engine { get; }
    public JourneyEngine Journeys { get; }
    public TeamService Service { get; }
    public TeamExpirer Expirer { get; }
}
