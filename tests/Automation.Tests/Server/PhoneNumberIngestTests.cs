using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server;

/// <summary>
/// A shop in China sends bare mobile numbers: with <c>Messaging:DefaultRegion</c> CN they are stored in E.164, and a
/// number that is no number refuses its own message while the rest of the batch is stored, on both databases.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class PhoneNumberIngestTests(string provider)
{
    [Test]
    public async Task A_national_number_is_stored_international_and_an_invalid_one_rejects_only_its_message()
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var factory = new AutomationFactory(db, new FakeTimeProvider(new DateTimeOffset(2026, 5, 10, 12, 0, 0, TimeSpan.Zero)),
            settings: new Dictionary<string, string> { ["Messaging:DefaultRegion"] = "CN" });
        using var client = factory.CreateAuthorizedClient();

        var response = await client.PostAsJsonAsync("/v1/batch", new
        {
            batch = new object[]
            {
                new { type = "identify", userId = "li", messageId = "li-1", traits = new { phone = "138 0013 8000" } },
                new { type = "identify", userId = "typo", messageId = "typo-1", traits = new { phone = "1380013" } },
                new { type = "identify", userId = "ann", messageId = "ann-1", traits = new { phone = "+1 415 555 0123" } },
            },
        });

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        body["accepted"]!.GetValue<int>().Should().Be(2);
        var rejected = body["rejected"]!.AsArray().Should().ContainSingle().Subject!;
        rejected["index"]!.GetValue<int>().Should().Be(1);
        rejected["errors"]![0]!["field"]!.GetValue<string>().Should().Be("batch[1].traits.phone");

        (await Phone(client, "li")).Should().Be("+8613800138000");
        (await Phone(client, "ann")).Should().Be("+14155550123");
        (await client.GetAsync("/v1/customers/typo")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    private static async Task<string?> Phone(HttpClient client, string id) =>
        JsonNode.Parse(await client.GetStringAsync($"/v1/customers/{id}"))!["phone"]?.GetValue<string>();
}
