using Automation.Core.Coupons;
using Automation.Core.Ingestion;
using Automation.Core.Journeys;
using Automation.Core.Points;
using Automation.Core.Storage;
using Automation.Core.Tags;
using Automation.Core.Tiers;
using Microsoft.Extensions.Logging.Abstractions;

namespace Automation.Tests.Support;

/// <summary>
/// Ingestion built as the server builds it, with what appsettings.json ships (no tag rules, no tiers, one point per
/// currency unit kept twelve months): a test passes only the parts it is about.
/// </summary>
internal static class TestIngestion
{
    public static JourneyEngine Engine(JourneyCatalog journeys, CouponCatalog? coupons = null, TierCatalog? tiers = null) =>
        new(journeys, coupons ?? new CouponCatalog(), NullLogger<JourneyEngine>.Instance, new PointsSettings(), tiers ?? new TierCatalog());

    /// <summary>The journeys of the repository's <c>rules/</c>, as the server reads them.</summary>
    public static JourneyCatalog ShippedJourneys()
    {
        var catalog = new JourneyCatalog();
        catalog.Reload(DiskFiles.Folder(Path.Combine(ServerProcess.RepositoryRoot(), "rules")),
            new JourneyReadOptions(JourneyReadOptions.DefaultChannels, null, new Automation.Server.Jobs.QuartzCronSchedule().Problem));
        return catalog;
    }

    public static TagEngine Tags(TagCatalog rules, TierCatalog? tiers = null) => new(rules, NullLogger<TagEngine>.Instance, tiers ?? new TierCatalog());

    public static IngestionService Service(IIngestionStore store, JourneyEngine journeys, TimeProvider clock,
        TagEngine? tags = null, TierEngine? tiers = null, PointsSettings? points = null) =>
        new(store, journeys, tags ?? Tags(new TagCatalog()), clock, tiers ?? new TierEngine(new TierCatalog()), points ?? new PointsSettings());
}
