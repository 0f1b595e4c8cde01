using Automation.Core.Ingestion;
using Automation.Core.Journeys;
using Automation.Core.Storage;
using Automation.Storage;
using Automation.Tests.Support;

namespace Automation.Tests.Core.Journeys;

/// <summary>
/// Many customers' events in one ingest: the engine enters them together, a journey at a time, yet each customer's
/// events still count one after the other, as if each had arrived alone. On both databases and in memory.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
[TestFixture(EngineHarness.Memory)]
public sealed class JourneyBatchEntryTests(string storage)
{
    private static readonly DateTimeOffset Start = new(2026, 6, 15, 8, 0, 0, TimeSpan.Zero);

    // A note fires at entry for tea only: it reads the event the instance was entered by.
    private const string CartRecovery = """
        {
          "WorkflowName": "cart-recovery",
          "Trigger": { "Event": "Product Added" },
          "Exit": { "Events": ["Order Completed"] },
          "ReEntry": "P7D",
          "Rules": [
            { "RuleName": "tea-note", "Expression": "event.Property(\"product_id\") == \"tea\"",
              "Actions": { "OnSuccess": { "Name": "Send", "Context": { "Channel": "email", "Template": "cart-recovery/tea" } } } },
            { "RuleName": "reminder", "Expression": "journey.HoursSinceEntry >= 1",
              "Actions": { "OnSuccess": { "Name": "Send", "Context": { "Channel": "email", "Template": "cart-recovery/reminder" } } } }
          ]
        }
        """;

    private const string Greeter = """
        {
          "WorkflowName": "greeter",
          "Trigger": { "Event": "Signed Up" },
          "Rules": [ { "RuleName": "tag", "Expression": "true", "Actions": { "OnSuccess": { "Name": "AddTag", "Context": { "Tag": "greeted" } } } } ]
        }
        """;

    // After the greeter in the catalog: entered on the same event only when the greeter's first step has tagged the customer.
    private const string GreetedOffer = """
        {
          "WorkflowName": "greeted-offer",
          "Trigger": { "Event": "Signed Up", "Condition": "customer.HasTag(\"greeted\")" },
          "Rules": [ { "RuleName": "offer", "Expression": "true",
            "Actions": { "OnSuccess": { "Name": "Send", "Context": { "Channel": "email", "Template": "greeted-offer/offer" } } } } ]
        }
        """;

    private EngineHarness _h = null!;

    [SetUp]
    public async Task SetUp() => _h = await EngineHarness.CreateAsync(storage, Start, new EngineSetup
    {
        Journeys = [("cart-recovery.json", CartRecovery), ("greeter.json", Greeter), ("greeted-offer.json", GreetedOffer)],
    });

    [TearDown]
    public async Task TearDown() => await _h.DisposeAsync();

    private static System.Text.Json.Nodes.JsonObject Added(string user, string product, DateTimeOffset at, string messageId) =>
        Segment.Track(user, CommerceEvents.ProductAdded, new { product_id = product, price = 5 }, at, messageId);

    private async Task<long> Id(string user) => (await _h.Customer(user)).Profile.Id;

    private async Task<IReadOnlyList<JourneyInstanceView>> InstancesOf(string user) =>
        await _h.Storage.Queries.InstancesOfAsync(await Id(user), CancellationToken.None);

    private async Task<IReadOnlyList<JourneyInstance>> ActiveOf(string user) =>
        await _h.Storage.Journeys.ActiveInstancesAsync([await Id(user)], CancellationToken.None);

    private async Task<IReadOnlyList<string>> TemplatesSentTo(string user) =>
        [.. (await _h.Storage.Queries.MessagesOfAsync(await Id(user), CancellationToken.None)).Select(m => m.Template)];

    [Test]
    public async Task Two_customers_in_one_batch_each_enter_with_their_own_trigger_event()
    {
        await _h.Ingest(Added("ann", "tea", Start.AddMinutes(-5), "ann-1"), Added("bob", "coffee", Start.AddMinutes(-3), "bob-1"));

        var ann = (await ActiveOf("ann")).Should().ContainSingle().Subject;
        ann.Journey.Should().Be("cart-recovery");
        ann.EnteredAt.Should().Be(Start.AddMinutes(-5));
        ann.TriggerEvent!["messageId"]!.GetValue<string>().Should().Be("ann-1");
        ann.TriggerEvent["properties"]!["product_id"]!.GetValue<string>().Should().Be("tea");
        var bob = (await ActiveOf("bob")).Should().ContainSingle().Subject;
        bob.EnteredAt.Should().Be(Start.AddMinutes(-3));
        bob.TriggerEvent!["messageId"]!.GetValue<string>().Should().Be("bob-1");
        bob.TriggerEvent["properties"]!["product_id"]!.GetValue<string>().Should().Be("coffee");
        // The step at entry read each customer's own event: tea gets the note, coffee does not.
        (await TemplatesSentTo("ann")).Should().Equal("cart-recovery/tea");
        (await TemplatesSentTo("bob")).Should().BeEmpty();
    }

    [Test]
    public async Task One_customers_two_triggering_events_in_one_batch_enter_once_by_the_earlier()
    {
        // Listed latest first: the batch's order is not the events' order.
        await _h.Ingest(Added("ann", "coffee", Start.AddMinutes(-1), "ann-2"), Added("ann", "tea", Start.AddMinutes(-10), "ann-1"));

        (await InstancesOf("ann")).Should().ContainSingle();
        var instance = (await ActiveOf("ann")).Should().ContainSingle().Subject;
        instance.TriggerEvent!["messageId"]!.GetValue<string>().Should().Be("ann-1");
        instance.EnteredAt.Should().Be(Start.AddMinutes(-10));
        (await TemplatesSentTo("ann")).Should().Equal("cart-recovery/tea");
    }

    [Test]
    public async Task A_trigger_then_the_exit_event_in_one_batch_ends_the_instance_and_an_exit_before_the_trigger_does_not()
    {
        await _h.Ingest(
            Segment.Order("ann", "o-ann", 5m, Start.AddMinutes(-2)),
            Added("ann", "coffee", Start.AddMinutes(-20), "ann-1"),
            Added("bob", "coffee", Start.AddMinutes(-15), "bob-1"),
            Added("cid", "coffee", Start.AddMinutes(-1), "cid-1"),
            Segment.Order("cid", "o-cid", 5m, Start.AddMinutes(-30)));

        (await InstancesOf("ann")).Should().ContainSingle(i => i.Status == "exited" && i.EndReason == "event: Order Completed");
        (await InstancesOf("bob")).Should().ContainSingle(i => i.Status == "active");
        (await InstancesOf("cid")).Should().ContainSingle(i => i.Status == "active", "cid's order came before the product was added");
    }

    [Test]
    public async Task A_first_step_of_one_journey_lets_several_customers_enter_the_next_on_the_same_event()
    {
        var users = Enumerable.Range(0, 6).Select(i => $"user-{i}").ToList();
        await _h.Ingest([.. users.Select((u, i) => Segment.Track(u, "Signed Up", null, Start.AddSeconds(-i), $"signup-{i}"))]);

        foreach (var user in users)
        {
            (await InstancesOf(user)).Select(i => (i.Journey, i.Status)).Should().BeEquivalentTo([("greeter", "completed"), ("greeted-offer", "completed")], user);
            (await TemplatesSentTo(user)).Should().Equal(["greeted-offer/offer"], user);
        }
    }

    [Test]
    public async Task A_customer_read_for_one_journey_is_read_again_with_what_the_next_events_journey_reads()
    {
        // Cart recovery reads nothing of the customer to enter; this one reads a trait, which the second round's
        // snapshot must then hold although the first round read the customer without it.
        const string vipSignup = """
            {
              "WorkflowName": "vip-signup",
              "Trigger": { "Event": "Signed Up", "Condition": "customer.Trait(\"vip\") == \"yes\"" },
              "Rules": [ { "RuleName": "tag", "Expression": "true", "Actions": { "OnSuccess": { "Name": "AddTag", "Context": { "Tag": "vip-welcomed" } } } } ]
            }
            """;
        await using var h = await EngineHarness.CreateAsync(storage, Start, new EngineSetup { Journeys = [("cart-recovery.json", CartRecovery), ("vip-signup.json", vipSignup)] });
        await h.Ingest(Segment.Identify("ann", new { email = "ann@example.com", vip = "yes" }, Start), Segment.Identify("bo", new { email = "bo@example.com", vip = "no" }, Start));
        await h.Ingest(Added("ann", "tea", Start.AddMinutes(1), "ann-added"), Segment.Track("ann", "Signed Up", null, Start.AddMinutes(2), "ann-signup"),
            Added("bo", "tea", Start.AddMinutes(1), "bo-added"), Segment.Track("bo", "Signed Up", null, Start.AddMinutes(2), "bo-signup"));

        foreach (var (user, journeys) in new[] { ("ann", new[] { "cart-recovery", "vip-signup" }), ("bo", ["cart-recovery"]) })
        {
            var id = (await h.Customer(user)).Profile.Id;
            (await h.Storage.Queries.InstancesOfAsync(id, CancellationToken.None)).Select(i => i.Journey).Should().BeEquivalentTo(journeys, user);
        }
    }
}
