using Automation.Core.Draws;
using Automation.Core.Tiers;

namespace Automation.Server.Hosting;

/// <summary>What draw files are checked against as the server and <c>automation validate</c> read them: the tiers in force.</summary>
internal static class DrawContext
{
    public static DrawReadContext Of(TierCatalog tiers) =>
        new(tiers.Program?.Tiers.Select(t => t.Name).ToList(), null);
}
