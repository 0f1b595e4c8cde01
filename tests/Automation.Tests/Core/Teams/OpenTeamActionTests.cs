using System.Text;
using Automation.Core.Journeys;
using Automation.Core.Storage;
using Automation.Core.Teams;
using Automation.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Core.Teams;

/// <summary>The OpenTeam step action: a journey opens a team for the customer, once, and records Team Opened.</summary>
public sealed class OpenTeamActionTests
{
    private static JourneyCatalog Journeys(string campaign)
    {
        var catalog = new JourneyCatalog();
        var json = $$"""
            {
              "WorkflowName": "invite-friends",
              "Trigger": { "Event": "Signed Up" },
              "Rules": [
                { "RuleName": "open", "Expression": "journey.HoursSinceEntry >= 0", "Actions": { "OnSuccess": { "Name": "OpenTeam", "Context": { "Campaign": "{{campaign}}" } } } }
              ]
            }
            """;
        var result = new JourneyFileReader(EngineHarness.ReadOptions).Read("rules/invite-friends.json", Encoding.UTF8.GetBytes(json));
        result.Problems.Should().BeEmpty();
        catalog.Replace([new JourneyFileResult("rules/invite-friends.json", result.Journey, result.Problems)]);
        return catalog;
    }

    [Test]
    public async Task A_journey_step_opens_a_team_for_the_customer_and_records_Team_Opened()
    {
        var store = new InMemoryStorage();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 8, 0, 0, TimeSpan.Zero));
        var teams = new TeamSetup(store, clock, journeys: Journeys("three-split-150"));
        var ingestion = TestIngestion.Service(store, teams.Journeys, clock);
        await ingestion.IngestAsync(Segment.Read(clock, Segment.Track("ann", "Signed Up")), CancellationToken.None);

        var team = (await ((ITeamQueries)store).FindTeamAsync(1, CancellationToken.None))!;
        (team.Team.Campaign, team.Team.Status, team.Members.Single().UserId).Should().Be(("three-split-150", TeamStatus.Open, "ann"));
        var ann = (await store.FindAsync("ann", CancellationToken.None))!.Profile.Id;
        (await store.EventsOfAsync(ann, 10, CancellationToken.None)).Select(e => e.Name).Should().Contain(TeamEngine.TeamOpened);
        (await store.InstancesOfAsync(ann, CancellationToken.None)).Single().Steps.Single().Outcome.Should().Be("team 1 of three-split-150");
    }

    [Test]
    public async Task A_step_naming_an_unknown_campaign_opens_nothing()
    {
        var store = new InMemoryStorage();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 8, 0, 0, TimeSpan.Zero));
        var teams = new TeamSetup(store, clock, journeys: Journeys("no-such-team"));
        var ingestion = TestIngestion.Service(store, teams.Journeys, clock);
        await ingestion.IngestAsync(Segment.Read(clock, Segment.Track("ann", "Signed Up")), CancellationToken.None);
        (await ((ITeamQueries)store).FindTeamAsync(1, CancellationToken.None)).Should().BeNull();
        var ann = (await store.FindAsync("ann", CancellationToken.None))!.Profile.Id;
        (await store.InstancesOfAsync(ann, CancellationToken.None)).Single().Steps.Single().Outcome
            .Should().Be("no team opened: there is no team campaign 'no-such-team' in rules/teams/");
    }
}
