using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Automation.Core.Broadcasts;
using Automation.Storage;
using Automation.Tests.Support;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server;

/// <summary>
/// Broadcasts through the HTTP API and the sender the job runs, on both databases: create, preview, the walk that
/// enqueues one message per member (held-out members recorded, not sent), results, cancel before the start and 409
/// after, and 400 problems naming each bad field with nothing written.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class BroadcastsApiTests(string provider)
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-03-01T10:00:00Z", CultureInfo.InvariantCulture);

    private TestDatabase _db = null!;
    private FakeTimeProvider _clock = null!;
    private AutomationFactory _factory = null!;
    private HttpClient _client = null!;

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync(provider, migrate: false);
        _clock = new FakeTimeProvider(Now);
        _factory = new AutomationFactory(_db, _clock);
        Write("rules/segments/big.json", """{ "Description": "Spent 500", "Expression": "stats.TotalSpent >= 500" }""");
        Write("rules/segments/everyone.json", """{ "Expression": "stats.OrderCount >= 0" }""");
        Write("rules/segments/nobody.json", """{ "Expression": "stats.TotalSpent > 1000000" }""");
        Write("templates/new-arrivals.email.liquid", "---\nsubject: New arrivals for {{ customer.first_name }}\n---\n<p>Hi {{ customer.first_name }}, new in.</p>\n");
        Write("templates/new-arrivals-b.email.liquid", "---\nsubject: B for {{ customer.first_name }}\n---\n<p>B</p>\n");
        Write("rules/presales.json", """
            { "Sales": [
              { "Name": "spring", "Title": "Spring teas", "Products": "all", "OpensAt": "2026-03-05T10:00:00+08:00", "AnnounceBy": "broadcast" },
              { "Name": "by-events", "Title": "Summer", "Products": "all", "OpensAt": "2026-06-05T10:00:00+08:00" } ] }
            """);
        Write("templates/presale.email.liquid", "---\nsubject: {{ event.properties.title }}\n---\n<p>{{ event.properties.title }} opens {{ event.properties.opens_at }}</p>\n");
        _client = _factory.CreateAuthorizedClient();
        await Order("ann", 200);
        await Order("bob", 1000);
        await Order("dan", 700);
    }

    [TearDown]
    public async Task TearDown()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        await _db.DisposeAsync();
    }

    private void Write(string path, string text)
    {
        var file = Path.Combine(_factory.ContentRoot, path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
    }

    private async Task Order(string customer, int total) =>
        (await _client.PostAsJsonAsync("/v1/track", new { userId = customer, @event = "Order Completed", properties = new { order_id = $"{customer}-{total}", total } }))
        .EnsureSuccessStatusCode();

    private async Task<JsonNode> Get(string path) => JsonNode.Parse(await _client.GetStringAsync(path))!;

    private async Task<long> Create(object body)
    {
        var response = await _client.PostAsJsonAsync("/v1/broadcasts", body);
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<long>();
    }

    private Task<int> RunJob() => _factory.Services.GetRequiredService<BroadcastSender>().SendDueAsync(CancellationToken.None);

    private async Task<List<(string Customer, string Status, string? Variant, string Key, string Template)>> Outbox(long id)
    {
        await using var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None);
        var rows = await connection.QueryAsync<(string, string, string?, string, string)>("""
            SELECT c.external_id, o.status, o.variant, o.idempotency_key, o.template FROM outbox o JOIN customers c ON c.id = o.customer_id
            WHERE o.journey = @journey ORDER BY c.external_id
            """, new { journey = Broadcast.JourneyOf(id) });
        return [.. rows];
    }

    [Test]
    public async Task A_broadcast_sent_now_enqueues_one_message_per_member_once_and_reports_its_results()
    {
        var created = await _client.PostAsJsonAsync("/v1/broadcasts", new { name = "New arrivals", segment = "big", channel = "email", template = "new-arrivals" });
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        var body = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        body["audience"]!.GetValue<long>().Should().Be(2);
        body["message"].Should().BeNull();
        var id = body["id"]!.GetValue<long>();
        (await Get($"/v1/broadcasts/{id}"))["status"]!.GetValue<string>().Should().Be("scheduled");

        (await RunJob()).Should().Be(2);
        var outbox = await Outbox(id);
        outbox.Select(m => m.Customer).Should().Equal("bob", "dan");
        outbox.Should().OnlyContain(m => m.Status == "queued" && m.Template == "new-arrivals" && m.Variant == null);
        outbox.Select(m => m.Key).Should().OnlyContain(k => k.StartsWith($"broadcast:{id}:", StringComparison.Ordinal));

        (await RunJob()).Should().Be(0, "a done broadcast is not walked again");
        var shown = await Get($"/v1/broadcasts/{id}");
        shown["status"]!.GetValue<string>().Should().Be("done");
        shown["walked"]!.GetValue<long>().Should().Be(2);
        shown["enqueued"]!.GetValue<long>().Should().Be(2);
        shown["results"]!["queued"]!.GetValue<long>().Should().Be(2);
        shown["results"]!["sent"]!.GetValue<long>().Should().Be(0);
        (await Get("/v1/broadcasts"))["broadcasts"]!.AsArray().Select(b => b!["id"]!.GetValue<long>()).Should().Equal(id);
    }

    [Test]
    public async Task A_walk_repeated_from_the_start_sends_nobody_twice()
    {
        var id = await Create(new { name = "Again", segment = "big", channel = "email", template = "new-arrivals" });
        (await RunJob()).Should().Be(2);
        await using (var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None))
            await connection.ExecuteAsync("UPDATE broadcasts SET status = 'sending', last_customer_id = 0 WHERE id = @id", new { id });
        (await RunJob()).Should().Be(0, "each member's message was claimed by its key the first time");
        (await Outbox(id)).Should().HaveCount(2);
    }

    [Test]
    public async Task A_scheduled_broadcast_waits_for_its_time_and_can_be_cancelled_until_it_starts()
    {
        var later = await Create(new { name = "Later", segment = "big", channel = "email", template = "new-arrivals", sendAt = "2026-03-01T20:00:00+08:00" });
        var cancelled = await Create(new { name = "Cancelled", segment = "big", channel = "email", template = "new-arrivals", sendAt = "2026-03-01T20:00:00+08:00" });
        (await RunJob()).Should().Be(0, "20:00 at +08:00 is 12:00 UTC, two hours away");

        var cancel = await _client.PostAsync($"/v1/broadcasts/{cancelled}/cancel", null);
        cancel.StatusCode.Should().Be(HttpStatusCode.OK);
        _clock.Advance(TimeSpan.FromHours(2));
        (await RunJob()).Should().Be(2);
        (await Outbox(later)).Should().HaveCount(2);
        (await Outbox(cancelled)).Should().BeEmpty();
        (await Get($"/v1/broadcasts/{cancelled}"))["status"]!.GetValue<string>().Should().Be("cancelled");

        var tooLate = await _client.PostAsync($"/v1/broadcasts/{later}/cancel", null);
        tooLate.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await tooLate.Content.ReadAsStringAsync()).Should().Contain("is done");
        (await _client.PostAsync($"/v1/broadcasts/{cancelled}/cancel", null)).StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await _client.PostAsync($"/v1/broadcasts/{cancelled}/start", null)).StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await _client.PostAsync("/v1/broadcasts/999/start", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await _client.PostAsync("/v1/broadcasts/999/cancel", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await _client.GetAsync("/v1/broadcasts/999")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task A_scheduled_broadcast_can_be_started_before_its_time_once()
    {
        var id = await Create(new { name = "Early", segment = "big", channel = "email", template = "new-arrivals", sendAt = "2026-03-08T09:00:00+08:00" });
        (await _client.PostAsync($"/v1/broadcasts/{id}/start", null)).StatusCode.Should().Be(HttpStatusCode.OK);
        var again = await _client.PostAsync($"/v1/broadcasts/{id}/start", null);
        again.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await again.Content.ReadAsStringAsync()).Should().Contain("is sending: only a scheduled broadcast can be started");
        (await RunJob()).Should().Be(2);
        (await Get($"/v1/broadcasts/{id}"))["status"]!.GetValue<string>().Should().Be("done");
    }

    [Test]
    public async Task A_creation_retried_with_its_idempotency_key_finds_the_first_broadcast()
    {
        async Task<HttpResponseMessage> Post(string key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/broadcasts")
            {
                Content = JsonContent.Create(new { name = "Once", segment = "big", channel = "email", template = "new-arrivals" }),
            };
            request.Headers.Add("Idempotency-Key", key);
            return await _client.SendAsync(request);
        }
        var first = await Post("once-1");
        first.StatusCode.Should().Be(HttpStatusCode.Created);
        var again = await Post("once-1");
        again.StatusCode.Should().Be(HttpStatusCode.OK);
        JsonNode.Parse(await again.Content.ReadAsStringAsync())!["id"]!.GetValue<long>()
            .Should().Be(JsonNode.Parse(await first.Content.ReadAsStringAsync())!["id"]!.GetValue<long>());
        (await Post(new string('k', 201))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await Get("/v1/broadcasts"))["broadcasts"]!.AsArray().Should().ContainSingle();
    }

    [Test]
    public async Task The_holdout_share_is_recorded_not_sent_and_variants_split_the_rest_by_a_stable_hash()
    {
        await using (var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None))
            await connection.ExecuteAsync("INSERT INTO customers (external_id, email, created_at, updated_at) VALUES (@external, @email, @at, @at)",
                Enumerable.Range(1, 400).Select(n => new { external = $"c-{n:D3}", email = $"c-{n}@example.com", at = Now }));
        var id = await Create(new
        {
            name = "Clearance", segment = "everyone", channel = "email", template = "new-arrivals", holdoutPercent = 20,
            variants = new object[] { new { name = "A", weight = 1 }, new { name = "B", template = "new-arrivals-b", weight = 1 } },
        });
        (await RunJob()).Should().Be(403);
        var outbox = await Outbox(id);
        outbox.Should().HaveCount(403);
        var held = outbox.Count(m => m.Status == "holdout");
        held.Should().BeInRange(50, 110, "about 20% of 403 are held out");
        outbox.Where(m => m.Status == "holdout").Should().OnlyContain(m => m.Variant == "holdout");
        var a = outbox.Where(m => m.Variant == "A").ToList();
        var b = outbox.Where(m => m.Variant == "B").ToList();
        (a.Count + b.Count + held).Should().Be(403);
        a.Should().OnlyContain(m => m.Template == "new-arrivals" && m.Status == "queued");
        b.Should().OnlyContain(m => m.Template == "new-arrivals-b" && m.Status == "queued");
        a.Count.Should().BeInRange(110, 220);
        var results = (await Get($"/v1/broadcasts/{id}"))["results"]!;
        results["heldOut"]!.GetValue<long>().Should().Be(held);
        results["queued"]!.GetValue<long>().Should().Be(403 - held);
    }

    [Test]
    public async Task A_local_time_broadcast_starts_where_that_time_comes_first_and_reaches_each_member_at_it_in_their_own_zone()
    {
        foreach (var (customer, zone) in new[] { ("sh", "Asia/Shanghai"), ("ny", "America/New_York") })
            (await _client.PostAsJsonAsync("/v1/identify", new { userId = customer, traits = new { email = $"{customer}@example.com", timezone = zone } }))
                .EnsureSuccessStatusCode();
        var past = await _client.PostAsJsonAsync("/v1/broadcasts", new { name = "Late", segment = "everyone", channel = "email", template = "new-arrivals", localTime = "2026-03-01T23:00" });
        var problem = JsonNode.Parse(await past.Content.ReadAsStringAsync())!["errors"]![0]!;
        problem["field"]!.GetValue<string>().Should().Be("localTime");
        problem["message"]!.GetValue<string>().Should().Contain("UTC+14");

        var id = await Create(new { name = "Morning", segment = "everyone", channel = "email", template = "new-arrivals", localTime = "2026-03-02T10:00" });
        (await Get($"/v1/broadcasts/{id}"))["sendAt"]!.GetValue<DateTimeOffset>().Should().Be(DateTimeOffset.Parse("2026-03-01T20:00:00Z", CultureInfo.InvariantCulture),
            "10:00 comes first at UTC+14");
        (await RunJob()).Should().Be(0);
        _clock.SetUtcNow(DateTimeOffset.Parse("2026-03-01T20:00:00Z", CultureInfo.InvariantCulture));
        (await RunJob()).Should().Be(5);

        await using var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None);
        var due = (await connection.QueryAsync<(string Customer, DateTimeOffset DueAt)>("""
            SELECT c.external_id, o.due_at FROM outbox o JOIN customers c ON c.id = o.customer_id WHERE o.journey = @journey
            """, new { journey = Broadcast.JourneyOf(id) })).ToDictionary(r => r.Customer, r => r.DueAt.ToUniversalTime());
        due["sh"].Should().Be(DateTimeOffset.Parse("2026-03-02T02:00:00Z", CultureInfo.InvariantCulture), "10:00 in Shanghai (+08:00)");
        due["ny"].Should().Be(DateTimeOffset.Parse("2026-03-02T15:00:00Z", CultureInfo.InvariantCulture), "10:00 in New York (-05:00 before daylight saving)");
        due["ann"].Should().Be(DateTimeOffset.Parse("2026-03-02T10:00:00Z", CultureInfo.InvariantCulture), "a customer without a zone is taken in UTC");
    }

    [Test]
    public async Task Results_count_each_member_by_what_became_of_their_message()
    {
        // ann can be written to, bob's address is suppressed, dan has no address at all.
        foreach (var customer in new[] { "ann", "bob" })
            (await _client.PostAsJsonAsync("/v1/identify", new { userId = customer, traits = new { email = $"{customer}@example.com" } })).EnsureSuccessStatusCode();
        (await _client.PostAsJsonAsync("/v1/suppressions", new { channel = "email", address = "bob@example.com", reason = "complaint" })).EnsureSuccessStatusCode();
        var id = await Create(new { name = "Outcomes", segment = "everyone", channel = "email", template = "new-arrivals" });
        await RunJob();
        await DispatchAll();

        var outbox = await Outbox(id);
        outbox.Select(m => (m.Customer, m.Status)).Should().Equal(("ann", "sent"), ("bob", "suppressed"), ("dan", "failed"));
        var results = (await Get($"/v1/broadcasts/{id}"))["results"]!;
        (results["sent"]!.GetValue<long>(), results["suppressed"]!.GetValue<long>(), results["failed"]!.GetValue<long>(), results["queued"]!.GetValue<long>())
            .Should().Be((1, 1, 1, 0));
    }

    [Test]
    public async Task Results_count_members_held_back_by_the_frequency_cap_and_by_quiet_hours()
    {
        // The default guardrails: one marketing email a day, quiet 21:00-09:00 in the customer's zone (10:00 UTC is 05:00 in New York).
        (await _client.PostAsJsonAsync("/v1/identify", new { userId = "ann", traits = new { email = "ann@example.com" } })).EnsureSuccessStatusCode();
        (await _client.PostAsJsonAsync("/v1/identify", new { userId = "bob", traits = new { email = "bob@example.com", timezone = "America/New_York" } })).EnsureSuccessStatusCode();
        (await _client.PostAsJsonAsync("/v1/identify", new { userId = "dan", traits = new { email = "dan@example.com" } })).EnsureSuccessStatusCode();
        var earlier = await Create(new { name = "Earlier today", segment = "big", channel = "email", template = "new-arrivals" });
        await RunJob();
        await DispatchAll();
        (await Outbox(earlier)).Select(m => (m.Customer, m.Status)).Should().Equal(("bob", "deferred"), ("dan", "sent"));

        var id = await Create(new { name = "Held back", segment = "everyone", channel = "email", template = "new-arrivals" });
        await RunJob();
        await DispatchAll();

        (await Outbox(id)).Select(m => (m.Customer, m.Status)).Should().Equal(("ann", "sent"), ("bob", "deferred"), ("dan", "skipped"));
        var results = (await Get($"/v1/broadcasts/{id}"))["results"]!;
        (results["sent"]!.GetValue<long>(), results["deferredByQuietHours"]!.GetValue<long>(), results["skippedByCap"]!.GetValue<long>(), results["queued"]!.GetValue<long>())
            .Should().Be((1, 1, 1, 0));
    }

    private async Task DispatchAll()
    {
        while (await _factory.Services.GetRequiredService<Automation.Core.Messaging.OutboxDispatcher>().DispatchDueAsync(CancellationToken.None) > 0) { }
    }

    [Test]
    public async Task Results_give_conversions_of_the_sent_members_against_the_held_out_ones()
    {
        foreach (var customer in new[] { "ann", "bob", "dan" })
            (await _client.PostAsJsonAsync("/v1/identify", new { userId = customer, traits = new { email = $"{customer}@example.com" } })).EnsureSuccessStatusCode();
        var id = await Create(new { name = "Lift", segment = "everyone", channel = "email", template = "new-arrivals", holdoutPercent = 50 });
        await RunJob();
        await DispatchAll();
        _clock.Advance(TimeSpan.FromDays(1));
        foreach (var customer in new[] { "ann", "bob", "dan" }) await Order(customer, 50);

        var shown = await Get($"/v1/broadcasts/{id}");
        var outbox = await Outbox(id);
        var sent = outbox.Count(m => m.Status == "sent");
        var held = outbox.Count(m => m.Status == "holdout");
        (sent + held).Should().Be(3);
        held.Should().BeInRange(1, 2, "the hash holds out some of the three at 50 %");
        shown["results"]!["sent"]!.GetValue<long>().Should().Be(sent);
        var conversions = shown["conversions"]!;
        conversions["journey"]!.GetValue<string>().Should().Be($"broadcast:{id}");
        var treated = conversions["variants"]!.AsArray().Single()!;
        treated["results"]!["messages"]!.GetValue<long>().Should().Be(sent);
        treated["results"]!["conversions"]!.GetValue<long>().Should().Be(sent, "every member ordered within the attribution window");
        conversions["holdout"]!["conversions"]!.GetValue<long>().Should().Be(held);
        (await _client.GetAsync($"/v1/broadcasts/{id}?within=0")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task A_presale_broadcast_starts_at_the_opening_and_its_templates_see_the_sale()
    {
        var byEvents = await _client.PostAsJsonAsync("/v1/broadcasts", new { name = "Summer", segment = "big", channel = "email", template = "presale", presale = "by-events" });
        byEvents.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await byEvents.Content.ReadAsStringAsync()).Should().Contain("AnnounceBy", "the announce job tells that sale's customers already");
        var both = await _client.PostAsJsonAsync("/v1/broadcasts", new { name = "Spring", segment = "big", channel = "email", template = "presale", presale = "spring", sendAt = "2026-03-02T10:00:00Z" });
        JsonNode.Parse(await both.Content.ReadAsStringAsync())!["errors"]![0]!["message"]!.GetValue<string>().Should().Contain("one of sendAt, localTime and presale");

        var preview = JsonNode.Parse(await (await _client.PostAsJsonAsync("/v1/broadcasts/preview",
            new { segment = "big", channel = "email", template = "presale", presale = "spring" })).Content.ReadAsStringAsync())!;
        preview["previews"]![0]!["subject"]!.GetValue<string>().Should().Be("Spring teas");
        var opens = DateTimeOffset.Parse("2026-03-05T02:00:00Z", CultureInfo.InvariantCulture);
        preview["dueAt"]!.GetValue<DateTimeOffset>().Should().Be(opens, "without tiers everyone is told at the opening");

        var id = await Create(new { name = "Spring", segment = "big", channel = "email", template = "presale", presale = "spring" });
        (await RunJob()).Should().Be(0);
        _clock.SetUtcNow(opens);
        (await RunJob()).Should().Be(2);
        (await Get($"/v1/broadcasts/{id}"))["presale"]!.GetValue<string>().Should().Be("spring");
    }

    [Test]
    public async Task A_segment_of_nobody_is_said_so_when_created_and_previewed()
    {
        var created = JsonNode.Parse(await (await _client.PostAsJsonAsync("/v1/broadcasts",
            new { name = "Nobody", segment = "nobody", channel = "email", template = "new-arrivals" })).Content.ReadAsStringAsync())!;
        created["audience"]!.GetValue<long>().Should().Be(0);
        created["message"]!.GetValue<string>().Should().StartWith("No customer is in segment nobody now");
        var preview = JsonNode.Parse(await (await _client.PostAsJsonAsync("/v1/broadcasts/preview",
            new { segment = "nobody", channel = "email", template = "new-arrivals" })).Content.ReadAsStringAsync())!;
        preview["message"]!.GetValue<string>().Should().Be("No customer is in this segment now.");
    }

    [Test]
    public async Task The_preview_gives_the_audience_and_a_render_for_one_member()
    {
        var preview = JsonNode.Parse(await (await _client.PostAsJsonAsync("/v1/broadcasts/preview",
            new { segment = "big", channel = "email", template = "new-arrivals" })).Content.ReadAsStringAsync())!;
        preview["audience"]!.GetValue<long>().Should().Be(2);
        preview["customerId"]!.GetValue<string>().Should().Be("bob");
        preview["previews"]!.AsArray().Single()!["html"]!.GetValue<string>().Should().Contain("new in.");
        (await Get("/v1/broadcasts"))["broadcasts"]!.AsArray().Should().BeEmpty("a preview stores nothing");
    }

    [Test]
    public async Task Bad_requests_name_each_field_and_write_nothing()
    {
        var response = await _client.PostAsJsonAsync("/v1/broadcasts", new
        {
            name = "Bad", segment = "nope", channel = "pigeon", template = "new-arrivals", sendAt = "2026-03-01T09:00:00Z", holdoutPercent = 60,
        });
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var fields = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]!.AsArray().Select(e => e!["field"]!.GetValue<string>());
        fields.Should().Equal("segment", "channel", "sendAt", "holdoutPercent");

        var template = await _client.PostAsJsonAsync("/v1/broadcasts", new { name = "Bad", segment = "big", channel = "email", template = "missing", sendAt = "2026-03-02T09:00:00" });
        var problem = JsonNode.Parse(await template.Content.ReadAsStringAsync())!;
        problem["errors"]!.AsArray().Select(e => e!["field"]!.GetValue<string>()).Should().Equal("template", "sendAt");
        problem["detail"]!.GetValue<string>().Should().Contain("templates/missing.email.liquid");

        var variant = await _client.PostAsJsonAsync("/v1/broadcasts", new
        {
            name = "Bad", segment = "big", channel = "email", template = "new-arrivals", variants = new object[] { new { name = "holdout", weight = 0 } },
        });
        JsonNode.Parse(await variant.Content.ReadAsStringAsync())!["errors"]!.AsArray().Select(e => e!["field"]!.GetValue<string>())
            .Should().Equal("variants[0].name", "variants[0].weight");
        (await Get("/v1/broadcasts"))["broadcasts"]!.AsArray().Should().BeEmpty();
    }
}
