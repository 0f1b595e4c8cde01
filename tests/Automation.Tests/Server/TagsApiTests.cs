using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server;

[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class TagsApiTests(string provider)
{
    [Test]
    public async Task Support_staff_tag_and_untag_a_customer_and_rule_tags_show_alongside()
    {
        await using var db = await TestDatabase.CreateAsync(provider, migrate: false);
        await using var factory = new AutomationFactory(db, new FakeTimeProvider(DateTimeOffset.Parse("2026-03-01T00:00:00Z", CultureInfo.InvariantCulture))).WithShippedJourneys();
        using var client = factory.CreateAuthorizedClient();
        (await client.PostAsJsonAsync("/v1/track", new { userId = "dee", @event = "Order Completed", properties = new { order_id = "d1", total = 10 } })).EnsureSuccessStatusCode();

        var added = await client.PostAsJsonAsync("/v1/customers/dee/tags", new { tag = "vip" });
        added.StatusCode.Should().Be(HttpStatusCode.OK);
        JsonNode.Parse(await client.GetStringAsync("/v1/customers/dee"))!["tags"]!.AsArray().Select(t => t!.GetValue<string>())
            .Should().BeEquivalentTo("active", "new", "vip");

        (await client.DeleteAsync("/v1/customers/dee/tags/vip")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        JsonNode.Parse(await client.GetStringAsync("/v1/customers/dee"))!["tags"]!.AsArray().Select(t => t!.GetValue<string>())
            .Should().BeEquivalentTo("active", "new");

        (await client.PostAsJsonAsync("/v1/customers/nobody/tags", new { tag = "vip" })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await client.PostAsJsonAsync("/v1/customers/dee/tags", new { })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }
}
