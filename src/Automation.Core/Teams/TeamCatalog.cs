using System.Collections.Immutable;
using Automation.Core.Journeys;

namespace Automation.Core.Teams;

/// <summary>
/// The team campaigns of rules/teams/, reloaded with the rules folder. Each file is kept on its own: a bad version is
/// reported and that file's last good campaign keeps running; a removed file's campaign is gone.
/// </summary>
public sealed class TeamCatalog
{
    private sealed class CampaignFile : LastGoodFile<TeamCampaign>
    {
        /// <summary>The coupon campaigns of the reload under way.</summary>
        public Func<string, bool>? CouponExists { get; set; }

        public TeamCampaign? Campaign => Current;

        protected override (TeamCampaign? Value, IReadOnlyList<JourneyProblem> Problems) Read(string file, byte[] utf8) =>
            TeamCampaignReader.Read(file, utf8, CouponExists);
    }

    private readonly Dictionary<string, CampaignFile> _files = new(StringComparer.Ordinal);
    private readonly Lock _reloading = new();
    private ImmutableDictionary<string, TeamCampaign> _campaigns = ImmutableDictionary<string, TeamCampaign>.Empty;

    /// <summary>The campaigns in force, by name.</summary>
    public IReadOnlyCollection<TeamCampaign> Campaigns => Volatile.Read(ref _campaigns).Values.ToList();

    /// <summary>The campaign of that name in force, or null.</summary>
    public TeamCampaign? Find(string name) => Volatile.Read(ref _campaigns).GetValueOrDefault(name);

    /// <summary>Reads every <c>*.json</c> of the folder again; returns the problems of the bad files.</summary>
    /// <param name="couponExists">Whether a coupon campaign exists, to check the names files give; null skips the check.</param>
    public IReadOnlyList<JourneyProblem> Reload(string folder, Func<string, bool>? couponExists = null)
    {
        lock (_reloading)
        {
            var present = Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal).ToList() : [];
            foreach (var gone in _files.Keys.Except(present).ToList()) _files.Remove(gone);
            var problems = new List<JourneyProblem>();
            foreach (var file in present)
            {
                var entry = _files.TryGetValue(file, out var known) ? known : _files[file] = new CampaignFile();
                entry.CouponExists = couponExists;
                try
                {
                    problems.AddRange(entry.Reload(file));
                }
                catch (IOException e)
                {
                    // Being saved by an editor right now: the next reload reads it whole.
                    problems.Add(new JourneyProblem(file, 1, null, $"cannot be read: {e.Message}"));
                }
            }
            Volatile.Write(ref _campaigns, _files.Values.Select(f => f.Campaign).OfType<TeamCampaign>()
                .ToImmutableDictionary(c => c.Name, StringComparer.Ordinal));
            return problems;
        }
    }
}
