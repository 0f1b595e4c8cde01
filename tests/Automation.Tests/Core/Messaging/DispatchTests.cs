using System.Text;
using Automation.Channels;
using Automation.Core.Audit;
using Automation.Core.Journeys;
using Automation.Core.Messaging;
using Automation.Core.Storage;
using Automation.Core.Tiers;
using Automation.Storage;
using Automation.Tests.Support;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Core.Messaging;

/// <summary>The dispatcher end to end: journeys queue, the real channels send, on both databases.</summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
[NonParallelizable]
public sealed class DispatchTests(string provider)
{
    private static readonly DateTimeOffset Start = new(2026, 5, 4, 8, 0, 0, TimeSpan.Zero);
    private static readonly string Repository = ServerProcess.RepositoryRoot();

    private EngineHarness _h = null!;
    private DirectoryInfo _outbox = null!;
    private LiquidTemplates _templates = null!;
    private UnsubscribeLinks _links = null!;
    private TierCatalog _tiers = null!;

    [SetUp]
    public async Task SetUp()
    {
        _outbox = Directory.CreateTempSubdirectory("automation-outbox-");
        await SetUpServices(Start);
    }

    // The dispatcher reads and writes the outbox store, which only the databases implement.
    private TestDatabase Db => _h.RequireDatabase();

    private async Task SetUpServices(DateTimeOffset start)
    {
        _h = await EngineHarness.CreateAsync(provider, start, new EngineSetup { CouponsFolder = Path.Combine(ServerProcess.RepositoryRoot(), "rules", "coupons") });
        _h.Journeys.Reload(DiskFiles.Folder(Path.Combine(Repository, "rules")), EngineHarness.ReadOptions);
        _templates = new LiquidTemplates(new TemplateFiles(DiskFiles.Folder(Path.Combine(Repository, "templates")), "en"), "示例小店");
        _links = new UnsubscribeLinks(Encoding.UTF8.GetBytes("0123456789abcdef0123456789abcdef"), "http://127.0.0.1:5080");
        _tiers = new TierCatalog();
        _tiers.ReloadFile(Path.Combine(Repository, "rules", "tiers.json")).Should().BeEmpty();
    }

    [TearDown]
    public async Task TearDown()
    {
        await _h.DisposeAsync();
        _outbox.Delete(recursive: true);
    }

    // Tests of delivery run with no caps or quiet hours; the guardrail tests set their own.
    private OutboxDispatcher Dispatcher(IChannel email, int maxAttempts = 8, GuardrailSettings? guardrails = null) => new(Db.Storage, _templates,
        new Dictionary<string, IChannel> { ["email"] = email, ["sms"] = FileOutbox(Recipients.PhoneNumber) },
        _links, new Guardrails(Db.Storage, guardrails ?? new GuardrailSettings(0, 0, TimeOnly.MinValue, TimeOnly.MinValue)),
        new DispatchSettings(MaxAttempts: maxAttempts), _h.Clock, NullLogger<OutboxDispatcher>.Instance, _tiers);

    /// <summary>The file outbox standing in for a channel that sends to this recipient.</summary>
    private FileOutboxChannel FileOutbox(RecipientField recipient) => new(Options.Create(new FileOutboxOptions { Path = _outbox.FullName, From = "shop@example.com" }), recipient);

    private FileOutboxChannel Files => FileOutbox(Recipients.EmailAddress);

    /// <summary>Ann leaves tea in her cart; an hour later the reminder is queued.</summary>
    private async Task QueueCartReminder(string user = "ann", string email = "ann@example.com", string name = "Ann Lee")
    {
        await _h.Ingest(
            Segment.Identify(user, new { email, name, firstName = name.Split(' ')[0] }, _h.Clock.GetUtcNow()),
            Segment.Track(user, "Product Added", new { product_id = "tea", name = "Green tea", price = 12.5, quantity = 2, url = "https://shop.example/tea" }, _h.Clock.GetUtcNow()));
        _h.Clock.Advance(TimeSpan.FromHours(1));
        await _h.Scheduler.TickAsync(CancellationToken.None);
    }

    private Task<IReadOnlyList<MessageView>> Messages(MessageStatus? status = null) => Db.Storage.ListAsync(status, 100, CancellationToken.None);

    [Test]
    public async Task A_queued_email_reaches_a_real_smtp_server_with_both_parts_and_one_click_unsubscribe()
    {
        await using var smtp = await SmtpServer.StartAsync();
        using var email = new EmailChannel(Options.Create(new EmailOptions { Host = "127.0.0.1", Port = smtp.Port, Security = "None", From = "shop@example.com", FromName = "The Shop" }));
        await QueueCartReminder();

        (await Dispatcher(email).DispatchDueAsync(CancellationToken.None)).Should().Be(1);

        var message = smtp.Received().Should().ContainSingle().Subject;
        message.Subject.Should().Be("You left 2 item(s) in your cart");
        message.To.Mailboxes.Single().Address.Should().Be("ann@example.com");
        message.From.Mailboxes.Single().Name.Should().Be("The Shop");
        message.HtmlBody.Should().Contain("<p>Hi Ann,</p>").And.Contain("Green tea").And.Contain("$25.00");
        message.TextBody.Should().Contain("Hi Ann,").And.Contain("Green tea (https://shop.example/tea) × 2");
        message.Headers["List-Unsubscribe-Post"].Should().Be("List-Unsubscribe=One-Click");
        var unsubscribe = message.Headers["List-Unsubscribe"]!.Trim('<', '>');
        _links.Read(unsubscribe[(unsubscribe.LastIndexOf('/') + 1)..]).Should().Be(new UnsubscribeTarget("email", "ann@example.com", null));

        var sent = (await Messages(MessageStatus.Sent)).Should().ContainSingle().Subject;
        sent.ProviderId.Should().Be(message.MessageId);
        sent.Recipient.Should().Be("ann@example.com");
    }

    [Test]
    public async Task Message_ids_differ_between_installations_and_stay_the_same_for_a_resend()
    {
        await using var smtp = await SmtpServer.StartAsync();
        using var email = new EmailChannel(Options.Create(new EmailOptions { Host = "127.0.0.1", Port = smtp.Port, Security = "None", From = "shop@example.com" }));
        await QueueCartReminder();
        await Dispatcher(email).DispatchDueAsync(CancellationToken.None);

        // A second install (or this one's database reset) queues the same journey:instance:step.
        var first = _h;
        try
        {
            await SetUpServices(first.Clock.GetUtcNow());
            await QueueCartReminder();
            await Dispatcher(email).DispatchDueAsync(CancellationToken.None);
            (await Messages(MessageStatus.Sent)).Single().ProviderId.Should().NotBeNull();
        }
        finally
        {
            await first.DisposeAsync();
        }

        var received = smtp.Received();
        received.Should().HaveCount(2);
        received[0].MessageId.Should().NotBe(received[1].MessageId);
        (await Db.Storage.InstallationIdAsync(CancellationToken.None)).Should().MatchRegex("^[0-9a-f]{32}$");

        var resent = EmailMessages.Build(new OutgoingMessage(1, "cart-recovery:1:reminder", "email", "ann", "ann@example.com", null,
            new RenderedMessage("s", null, "t", "t.liquid", null), "https://x/u/1", []) { Installation = "abc" }, "shop@example.com", null);
        var again = EmailMessages.Build(new OutgoingMessage(1, "cart-recovery:1:reminder", "email", "ann", "ann@example.com", null,
            new RenderedMessage("s", null, "t", "t.liquid", null), "https://x/u/1", []) { Installation = "abc" }, "shop@example.com", null);
        again.MessageId.Should().Be(resent.MessageId);
    }

    [Test]
    public async Task While_smtp_is_down_the_email_waits_and_is_sent_once_it_is_back()
    {
        var port = ServerProcess.FreePort();
        using var email = new EmailChannel(Options.Create(new EmailOptions { Host = "127.0.0.1", Port = port, Security = "None", From = "shop@example.com" }));
        await QueueCartReminder();
        var dispatcher = Dispatcher(email);

        await dispatcher.DispatchDueAsync(CancellationToken.None);
        var waiting = (await Messages(MessageStatus.Queued)).Should().ContainSingle().Subject;
        waiting.LastError.Should().StartWith("SMTP server unreachable");
        waiting.Attempts.Should().Be(1);
        waiting.DueAt.Should().BeAfter(_h.Clock.GetUtcNow());
        (await dispatcher.DispatchDueAsync(CancellationToken.None)).Should().Be(0, "it waits for its backoff");

        await using var smtp = await SmtpServer.StartAsync(port);
        _h.Clock.Advance(TimeSpan.FromMinutes(2));
        await dispatcher.DispatchDueAsync(CancellationToken.None);

        smtp.Received().Should().ContainSingle();
        (await Messages(MessageStatus.Sent)).Should().ContainSingle().Which.Attempts.Should().Be(2);
    }

    [Test]
    public async Task A_batch_slower_than_its_lease_leaves_the_rest_to_the_next_claim_instead_of_sending_late()
    {
        foreach (var user in new[] { "a", "b", "c" }) await QueueCartReminder(user, $"{user}@example.com", $"Customer {user}");
        // Each send takes two and a half minutes of a five-minute lease: the third would start after the last fifth.
        var slow = new SlowChannel(_h.Clock, Files, TimeSpan.FromSeconds(150));
        var dispatcher = new OutboxDispatcher(Db.Storage, _templates, new Dictionary<string, IChannel> { ["email"] = slow }, _links,
            new Guardrails(Db.Storage, new GuardrailSettings(0, 0, TimeOnly.MinValue, TimeOnly.MinValue)),
            new DispatchSettings(Concurrency: 1, Lease: TimeSpan.FromMinutes(5)), _h.Clock, NullLogger<OutboxDispatcher>.Instance, _tiers);

        await dispatcher.DispatchDueAsync(CancellationToken.None);
        slow.Sent.Should().Be(2);
        (await Messages(MessageStatus.Sending)).Should().ContainSingle();

        _h.Clock.Advance(TimeSpan.FromMinutes(1));
        await dispatcher.DispatchDueAsync(CancellationToken.None);
        slow.Sent.Should().Be(3, "the message left behind is claimed again once the lease is over, and sent once");
        (await Messages(MessageStatus.Sent)).Should().HaveCount(3);
    }

    /// <summary>A channel whose sends take time on the test clock.</summary>
    private sealed class SlowChannel(FakeTimeProvider clock, IChannel inner, TimeSpan duration) : IChannel
    {
        private int _sent;

        public int Sent => _sent;

        public RecipientField Recipient => inner.Recipient;

        public Task<SendOutcome> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
        {
            clock.Advance(duration);
            Interlocked.Increment(ref _sent);
            return inner.SendAsync(message, cancellationToken);
        }
    }

    [Test]
    public async Task A_dispatcher_whose_lease_ran_out_cannot_overwrite_the_claim_that_took_over()
    {
        await QueueCartReminder();
        var stale = (await Db.Storage.ClaimDueAsync(_h.Clock.GetUtcNow(), 10, TimeSpan.FromMinutes(5), CancellationToken.None)).Single();
        _h.Clock.Advance(TimeSpan.FromMinutes(6));
        var current = (await Db.Storage.ClaimDueAsync(_h.Clock.GetUtcNow(), 10, TimeSpan.FromMinutes(5), CancellationToken.None)).Single();
        current.Id.Should().Be(stale.Id);

        // The stale result lands while the newer claim is still sending.
        await Db.Storage.CompleteAsync([(stale, new DeliveryResult(MessageStatus.Failed, "ann@example.com", null, "timed out", null, null))], CancellationToken.None);
        await Db.Storage.CompleteAsync([(current, new DeliveryResult(MessageStatus.Sent, "ann@example.com", "provider-2", null, null, _h.Clock.GetUtcNow()))], CancellationToken.None);
        var message = (await Messages(MessageStatus.Sent)).Should().ContainSingle().Subject;
        message.LastError.Should().BeNull("the stale dispatcher's late failure was not recorded over the newer claim's success");
    }

    [Test]
    public async Task After_the_last_attempt_the_message_is_dead_lettered_with_its_reason()
    {
        using var email = new EmailChannel(Options.Create(new EmailOptions { Host = "127.0.0.1", Port = ServerProcess.FreePort(), Security = "None", From = "shop@example.com" }));
        await QueueCartReminder();
        var dispatcher = Dispatcher(email, maxAttempts: 3);
        for (var i = 0; i < 3; i++)
        {
            await dispatcher.DispatchDueAsync(CancellationToken.None);
            _h.Clock.Advance(TimeSpan.FromHours(1));
        }

        var failed = (await Messages(MessageStatus.Failed)).Should().ContainSingle().Subject;
        failed.LastError.Should().StartWith("gave up after 3 attempts: SMTP server unreachable");
        (await Messages(MessageStatus.Queued)).Should().BeEmpty();
    }

    [Test]
    public async Task A_message_left_sending_by_a_crashed_dispatcher_is_sent_after_its_lease()
    {
        await QueueCartReminder();
        var claimed = await Db.Storage.ClaimDueAsync(_h.Clock.GetUtcNow(), 10, TimeSpan.FromMinutes(5), CancellationToken.None);
        claimed.Should().ContainSingle();
        // The dispatcher that claimed it dies here.

        (await Dispatcher(Files).DispatchDueAsync(CancellationToken.None)).Should().Be(0, "the claim still holds");
        _h.Clock.Advance(TimeSpan.FromMinutes(6));
        (await Dispatcher(Files).DispatchDueAsync(CancellationToken.None)).Should().Be(1);
        (await Messages(MessageStatus.Sent)).Should().ContainSingle().Which.Attempts.Should().Be(2);
    }

    [Test]
    public async Task Two_dispatchers_at_once_send_each_message_once()
    {
        for (var i = 0; i < 30; i++) await QueueCartReminder($"c{i}", $"c{i}@example.com", $"Customer {i}");

        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            var dispatcher = Dispatcher(Files);
            while (await dispatcher.DispatchDueAsync(CancellationToken.None) > 0) { }
        })));

        Directory.EnumerateFiles(Path.Combine(_outbox.FullName, "email")).Should().HaveCount(30);
        (await Messages(MessageStatus.Sent)).Should().HaveCount(30);
    }

    [Test]
    public async Task A_suppressed_address_is_not_sent_marketing()
    {
        await QueueCartReminder();
        await Db.Storage.SuppressAsync("email", "ann@example.com", "unsubscribed", Start, AuditActor.Cli("test"), CancellationToken.None);

        await Dispatcher(Files).DispatchDueAsync(CancellationToken.None);

        (await Messages(MessageStatus.Suppressed)).Should().ContainSingle().Which.LastError.Should().Be("ann@example.com is suppressed on email");
        Directory.Exists(Path.Combine(_outbox.FullName, "email")).Should().BeFalse();
        var ann = await Db.Storage.FindAsync("ann", CancellationToken.None);
        ann!.SuppressedChannels.Should().Equal("email");
        FactsBuilder.Customer(ann, _h.Clock.GetUtcNow(), _tiers.Program).EmailConsent.Should().BeFalse("journeys can see the opt-out");
    }

    [Test]
    public async Task Senders_asking_together_learn_each_address_on_its_own_channel()
    {
        await Db.Storage.SuppressAsync("email", "ann@example.com", "unsubscribed", Start, AuditActor.Cli("test"), CancellationToken.None);
        await Db.Storage.SuppressAsync("sms", "+14155550100", "replied_stop", Start, AuditActor.Cli("test"), CancellationToken.None);

        (await Db.Storage.AreSuppressedAsync([("sms", "ann@example.com"), ("email", "ann@example.com"), ("email", "bob@example.com"), ("sms", "+14155550100"),
            ("email", "+14155550100"), ("email", "ann@example.com")], CancellationToken.None)).Should().Equal(false, true, false, true, false, true);
    }

    [Test]
    public async Task A_template_error_fails_the_message_visibly_instead_of_sending_blanks()
    {
        var templates = Directory.CreateTempSubdirectory("automation-broken-templates-");
        try
        {
            Directory.CreateDirectory(Path.Combine(templates.FullName, "cart-recovery"));
            await File.WriteAllTextAsync(Path.Combine(templates.FullName, "cart-recovery", "reminder.email.liquid"), "---\nsubject: Hi\n---\n<p>Hi {{ customer.nickname }}</p>");
            _templates = new LiquidTemplates(new TemplateFiles(DiskFiles.Folder(templates.FullName), "en"));
            await QueueCartReminder();

            await Dispatcher(Files).DispatchDueAsync(CancellationToken.None);

            (await Messages(MessageStatus.Failed)).Should().ContainSingle().Which.LastError.Should().EndWith("reminder.email.liquid:4: Variable 'customer.nickname' could not be found");
        }
        finally
        {
            templates.Delete(recursive: true);
        }
    }

    [Test]
    public async Task Quiet_hours_in_the_customer_time_zone_defer_marketing_to_their_end()
    {
        // 08:00 UTC + 1 h is 17:00 in Tokyo: fine. Ann in Los Angeles is at 02:00: quiet until 09:00 there (16:00 UTC).
        await _h.Ingest(Segment.Identify("ann", new { email = "ann@example.com", name = "Ann", timezone = "America/Los_Angeles" }, Start));
        await QueueCartReminder();
        var dispatcher = Dispatcher(Files, guardrails: new GuardrailSettings(0, 0));

        await dispatcher.DispatchDueAsync(CancellationToken.None);
        var deferred = (await Messages(MessageStatus.Deferred)).Should().ContainSingle().Subject;
        deferred.DueAt.Should().Be(new DateTimeOffset(2026, 5, 4, 16, 0, 0, TimeSpan.Zero));
        deferred.LastError.Should().Be("quiet hours 21:00-09:00 in America/Los_Angeles");

        _h.Clock.SetUtcNow(new DateTimeOffset(2026, 5, 4, 16, 0, 0, TimeSpan.Zero));
        await dispatcher.DispatchDueAsync(CancellationToken.None);
        (await Messages(MessageStatus.Sent)).Should().ContainSingle();
    }

    [Test]
    public async Task A_second_marketing_message_in_a_day_is_skipped_by_the_cap()
    {
        await QueueCartReminder();
        var dispatcher = Dispatcher(Files, guardrails: new GuardrailSettings(1, 3, TimeOnly.MinValue, TimeOnly.MinValue));
        await dispatcher.DispatchDueAsync(CancellationToken.None);

        // The next day's coupon goes by SMS, another channel: not capped. A second email the same day would be.
        await _h.Ingest(Segment.Identify("ann", new { phone = "+14155550123" }, _h.Clock.GetUtcNow()));
        _h.Clock.Advance(TimeSpan.FromHours(23));
        await _h.Scheduler.TickAsync(CancellationToken.None);
        await dispatcher.DispatchDueAsync(CancellationToken.None);
        (await Messages(MessageStatus.Sent)).Select(m => m.Channel).Should().BeEquivalentTo("email", "sms");

        await _h.Ingest(Segment.Order("ann", "first", 25m, _h.Clock.GetUtcNow()));
        await dispatcher.DispatchDueAsync(CancellationToken.None);
        var thankYou = (await Messages()).Single(m => m.Journey == "welcome-series");
        thankYou.Status.Should().Be(MessageStatus.Skipped);
        thankYou.LastError.Should().Be("frequency cap: 1 email per day");
    }

    [Test]
    public async Task Two_journeys_emails_dispatched_at_once_by_three_nodes_with_sixteen_senders_send_one_and_skip_the_other()
    {
        await QueueWelcomeAndTierUpgrade();

        // Each send waits until a second one is under way (or a while has passed), so two sends that the caps let
        // through are in flight at the same instant.
        var channel = new RendezvousChannel(Files, parties: 2);
        var nodes = Enumerable.Range(0, 3).Select(_ => provider == StorageOptions.Postgres ? new Automation.Storage.Postgres.PostgresStorage(Db.ConnectionString) : Db.Storage).ToArray();
        try
        {
            var dispatchers = nodes.Select(node => new OutboxDispatcher(node, _templates, new Dictionary<string, IChannel> { ["email"] = channel },
                _links, new Guardrails(node, new GuardrailSettings(1, 3, TimeOnly.MinValue, TimeOnly.MinValue)),
                new DispatchSettings(BatchSize: 1, Concurrency: 16), _h.Clock, NullLogger<OutboxDispatcher>.Instance, _tiers)).ToArray();
            await Task.WhenAll(dispatchers.Select(d => Task.Run(() => d.DispatchDueAsync(CancellationToken.None))));
        }
        finally
        {
            foreach (var node in nodes.OfType<IAsyncDisposable>()) await node.DisposeAsync();
        }

        var emails = (await Messages()).Where(m => m.Channel == "email").ToList();
        emails.Select(m => m.Status).Should().BeEquivalentTo([MessageStatus.Sent, MessageStatus.Skipped], string.Join("; ", emails.Select(m => $"{m.Journey} {m.Status} {m.LastError}")));
        emails.Single(m => m.Status == MessageStatus.Skipped).LastError.Should().Be("frequency cap: 1 email per day");
        channel.Sent.Should().Be(1);
    }

    [Test]
    public async Task One_claimed_batch_checks_each_message_on_its_own_behalf()
    {
        // Ann's two emails, Bob's suppressed address, Cy's night in Los Angeles and Dee's plain reminder, all due by
        // 11:00 UTC and claimed then in one batch, whose suppressions and caps are asked for together.
        await QueueWelcomeAndTierUpgrade();
        await Db.Storage.SuppressAsync("email", "bob@example.com", "unsubscribed", Start, AuditActor.Cli("test"), CancellationToken.None);
        await _h.Ingest(Segment.Identify("cy", new { email = "cy@example.com", name = "Cy Ng", timezone = "America/Los_Angeles" }, Start));
        foreach (var (user, name) in new[] { ("bob", "Bob Ito"), ("cy", "Cy Ng"), ("dee", "Dee Roy") })
            await QueueCartReminder(user, $"{user}@example.com", name);

        var sent = new RendezvousChannel(Files, parties: 1);
        await Dispatcher(sent, guardrails: new GuardrailSettings(1, 3)).DispatchDueAsync(CancellationToken.None);

        var emails = (await Messages()).Where(m => m.Channel == "email").ToList();
        var outcome = emails.Select(m => $"{m.CustomerId} {m.Journey} {m.Status} {m.LastError}").ToList();
        emails.Should().HaveCount(5, string.Join("; ", outcome));
        emails.Where(m => m.CustomerId == "ann").Select(m => m.Status).Should().BeEquivalentTo([MessageStatus.Sent, MessageStatus.Skipped], string.Join("; ", outcome));
        emails.Single(m => m.CustomerId == "ann" && m.Status == MessageStatus.Skipped).LastError.Should().Be("frequency cap: 1 email per day");
        emails.Single(m => m.CustomerId == "bob").LastError.Should().Be("bob@example.com is suppressed on email");
        var night = emails.Single(m => m.CustomerId == "cy");
        night.Status.Should().Be(MessageStatus.Deferred);
        night.DueAt.Should().Be(new DateTimeOffset(2026, 5, 4, 16, 0, 0, TimeSpan.Zero));
        emails.Single(m => m.CustomerId == "dee").Status.Should().Be(MessageStatus.Sent);
        sent.Sent.Should().Be(2);
    }

    [Test]
    public async Task A_message_that_fails_gives_its_place_under_the_cap_back()
    {
        await QueueCartReminder();
        var caps = new GuardrailSettings(1, 3, TimeOnly.MinValue, TimeOnly.MinValue);
        await Dispatcher(new FailingChannel(), guardrails: caps).DispatchDueAsync(CancellationToken.None);
        (await Messages(MessageStatus.Failed)).Should().ContainSingle();

        await _h.Ingest(Segment.Order("ann", "first", 25m, _h.Clock.GetUtcNow()));
        await Dispatcher(Files, guardrails: caps).DispatchDueAsync(CancellationToken.None);
        (await Messages()).Single(m => m.Journey == "welcome-series").Status.Should().Be(MessageStatus.Sent);
    }

    [Test]
    public async Task The_weekly_cap_holds_across_days()
    {
        var caps = new GuardrailSettings(0, 2, TimeOnly.MinValue, TimeOnly.MinValue);
        await QueueWelcomeAndTierUpgrade();
        await Dispatcher(Files, guardrails: caps).DispatchDueAsync(CancellationToken.None);
        _h.Clock.Advance(TimeSpan.FromDays(2));
        await QueueCartReminder();
        await Dispatcher(Files, guardrails: caps).DispatchDueAsync(CancellationToken.None);

        var emails = await Messages();
        emails.Where(m => m.Status == MessageStatus.Sent).Select(m => m.Journey).Should().BeEquivalentTo(["welcome-series", "tier-upgrade"], string.Join("; ", emails.Select(m => $"{m.Journey} {m.Status} {m.LastError} {m.CreatedAt}")));
        emails.Where(m => m.Status == MessageStatus.Sent).Select(m => m.Journey).Should().BeEquivalentTo("welcome-series", "tier-upgrade");
        var reminder = emails.Should().ContainSingle(m => m.Journey == "cart-recovery").Subject;
        reminder.Status.Should().Be(MessageStatus.Skipped);
        reminder.LastError.Should().Be("frequency cap: 2 email per week");
    }

    /// <summary>A first order of 1,200: the welcome thank-you and the tier-upgrade congratulations are queued together.</summary>
    private async Task QueueWelcomeAndTierUpgrade()
    {
        var ingestion = TestIngestion.Service(_h.Storage.Ingestion, _h.Engine, _h.Clock, tiers: new TierEngine(_tiers));
        await ingestion.IngestAsync(Segment.Read(_h.Clock,
            Segment.Identify("ann", new { email = "ann@example.com", name = "Ann Lee" }, _h.Clock.GetUtcNow()),
            Segment.Order("ann", "first", 1200m, _h.Clock.GetUtcNow())), CancellationToken.None);
        (await Messages(MessageStatus.Queued)).Where(m => m.Channel == "email").Select(m => m.Journey).Should().BeEquivalentTo("welcome-series", "tier-upgrade");
    }

    [Test]
    public async Task The_file_outbox_keeps_an_eml_a_person_can_open()
    {
        await QueueCartReminder();
        await Dispatcher(Files).DispatchDueAsync(CancellationToken.None);

        var file = Directory.EnumerateFiles(Path.Combine(_outbox.FullName, "email")).Should().ContainSingle().Subject;
        var message = MimeKit.MimeMessage.Load(file);
        message.Subject.Should().Be("You left 2 item(s) in your cart");
        (await Messages(MessageStatus.Sent)).Single().ProviderId.Should().Be(file);
    }

    /// <summary>
    /// With the shipped tiers: 120 then 200 lift Ivy to Silver, and the congratulations show Silver's perks and what
    /// Gold still asks over the tier window (1000 − 320 spend, 8 − 2 orders), the figures the tier engine counts.
    /// </summary>
    [Test]
    public async Task A_tier_upgrade_email_shows_the_perks_and_how_far_the_next_tier_is()
    {
        await _h.DisposeAsync();
        _h = await EngineHarness.CreateAsync(provider, Start, new EngineSetup { TiersFile = Path.Combine(Repository, "rules", "tiers.json") });
        _h.Journeys.Replace([.. JourneyDirectory.Load(DiskFiles.Folder(Path.Combine(Repository, "rules")), EngineHarness.ReadOptions)
            .Where(f => Path.GetFileNameWithoutExtension(f.File) == "tier-upgrade")]);
        var now = _h.Clock.GetUtcNow();
        await _h.Ingest(Segment.Identify("ivy", new { email = "ivy@example.com", firstName = "Ivy" }, now), Segment.Order("ivy", "o1", 120m, now));
        await _h.Ingest(Segment.Order("ivy", "o2", 200m, now));

        (await Dispatcher(Files).DispatchDueAsync(CancellationToken.None)).Should().Be(1);

        var html = MimeKit.MimeMessage.Load(Directory.EnumerateFiles(Path.Combine(_outbox.FullName, "email")).Should().ContainSingle().Subject).HtmlBody;
        html.Should().Contain("<strong>Silver</strong> member").And.Contain("5% off every order").And.Contain("shipping is free on orders over $25.00")
            .And.Contain("Next up is Gold: $680.00 more or 6 more orders within the year.");
    }
}

/// <summary>SMS through the Twilio adapter against a real HTTP server speaking Twilio's API, on both databases.</summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
[NonParallelizable]
public sealed class TwilioDispatchTests(string provider)
{
    private static readonly DateTimeOffset Start = new(2026, 5, 4, 8, 0, 0, TimeSpan.Zero);
    private EngineHarness _h = null!;
    private FakeTwilio _twilio = null!;
    private HttpClient _http = null!;

    [SetUp]
    public async Task SetUp()
    {
        _h = await EngineHarness.CreateAsync(provider, Start, new EngineSetup { CouponsFolder = Path.Combine(ServerProcess.RepositoryRoot(), "rules", "coupons") });
        _twilio = await FakeTwilio.StartAsync();
        _http = new HttpClient();
    }

    // The dispatcher reads and writes the outbox store, which only the databases implement.
    private TestDatabase Db => _h.RequireDatabase();

    [TearDown]
    public async Task TearDown()
    {
        _http.Dispose();
        await _twilio.DisposeAsync();
        await _h.DisposeAsync();
    }

    /// <summary>A cart-recovery coupon SMS queued for a shopper with this number, and a dispatcher for it.</summary>
    private async Task<OutboxDispatcher> QueueCoupon(string phone)
    {
        var repository = ServerProcess.RepositoryRoot();
        _h.Journeys.Reload(DiskFiles.Folder(Path.Combine(repository, "rules")), EngineHarness.ReadOptions);
        await _h.Ingest(
            Segment.Identify("bo", new { phone, name = "Bo" }, Start),
            Segment.Track("bo", "Product Added", new { product_id = "tea", price = 5 }, Start));
        _h.Clock.Advance(TimeSpan.FromHours(24));
        await _h.Scheduler.TickAsync(CancellationToken.None);

        var sms = new TwilioSmsChannel(_http, Options.Create(new TwilioOptions
        {
            AccountSid = "AC123", AuthToken = "secret", From = "+15005550006", BaseUrl = _twilio.Url, StatusCallbackUrl = "https://shop.example/twilio/status",
        }));
        var outbox = Directory.CreateTempSubdirectory("automation-sms-outbox-");
        var email = new FileOutboxChannel(Options.Create(new FileOutboxOptions { Path = outbox.FullName, From = "shop@example.com" }), Recipients.EmailAddress);
        return new OutboxDispatcher(Db.Storage, new LiquidTemplates(new TemplateFiles(DiskFiles.Folder(Path.Combine(repository, "templates")), "en"), "示例小店"),
            new Dictionary<string, IChannel> { ["sms"] = sms, ["email"] = email },
            new UnsubscribeLinks(new byte[32], "http://127.0.0.1:5080"), new Guardrails(Db.Storage, new GuardrailSettings(0, 0, TimeOnly.MinValue, TimeOnly.MinValue)),
            new DispatchSettings(), _h.Clock, NullLogger<OutboxDispatcher>.Instance, new TierCatalog());
    }

    private async Task<MessageView> Sms() => (await Db.Storage.ListAsync(null, 10, CancellationToken.None)).Single(m => m.Channel == "sms");

    [Test]
    public async Task A_coupon_sms_is_posted_as_twilio_documents_it()
    {
        var dispatcher = await QueueCoupon("+14155550123");
        await dispatcher.DispatchDueAsync(CancellationToken.None);

        var request = _twilio.Requests.Should().ContainSingle(r => r["To"] == "+14155550123").Subject;
        request["AccountSid"].Should().Be("AC123");
        request["From"].Should().Be("+15005550006");
        // The code is the cart-recovery campaign's, issued when the step fired: good for two days from then.
        request["Body"].Should().MatchRegex(@"^Your cart is waiting: code CART-[A-HJ-NP-Z2-9]{10} takes 10% off until Thursday, 07 May 2026\. Reply STOP to opt out\.$");
        request["StatusCallback"].Should().Be("https://shop.example/twilio/status");
        request["Authorization"].Should().Be("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("AC123:secret")));
        var sms = await Sms();
        sms.Status.Should().Be(MessageStatus.Sent);
        sms.ProviderId.Should().StartWith("SM");
    }

    [Test]
    public async Task A_429_waits_for_retry_after_and_then_sends()
    {
        var dispatcher = await QueueCoupon("+14155550124");
        _twilio.Busy["+14155550124"] = true;

        await dispatcher.DispatchDueAsync(CancellationToken.None);
        var waiting = await Sms();
        waiting.Status.Should().Be(MessageStatus.Queued);
        waiting.LastError.Should().StartWith("Twilio 429 20429");
        waiting.DueAt.Should().Be(_h.Clock.GetUtcNow().AddSeconds(1));

        _h.Clock.Advance(TimeSpan.FromSeconds(1));
        await dispatcher.DispatchDueAsync(CancellationToken.None);
        (await Sms()).Status.Should().Be(MessageStatus.Sent);
    }

    [Test]
    public async Task A_recipient_who_replied_stop_is_suppressed()
    {
        var dispatcher = await QueueCoupon(FakeTwilio.Unsubscribed);
        await dispatcher.DispatchDueAsync(CancellationToken.None);

        var sms = await Sms();
        sms.Status.Should().Be(MessageStatus.Failed);
        sms.LastError.Should().Contain("21610");
        (await Db.Storage.AreSuppressedAsync([("sms", FakeTwilio.Unsubscribed)], CancellationToken.None)).Should().Equal(true);
    }

    [Test]
    public async Task An_invalid_number_fails_for_good()
    {
        var dispatcher = await QueueCoupon(FakeTwilio.InvalidNumber);
        await dispatcher.DispatchDueAsync(CancellationToken.None);

        var sms = await Sms();
        sms.Status.Should().Be(MessageStatus.Failed);
        sms.LastError.Should().StartWith("Twilio 400 21211");
        (await Db.Storage.AreSuppressedAsync([("sms", FakeTwilio.InvalidNumber)], CancellationToken.None)).Should().Equal(false);
    }
}

/// <summary>A channel whose sends wait until <c>parties</c> of them are under way at once, or two seconds have passed.</summary>
internal sealed class RendezvousChannel(IChannel inner, int parties) : IChannel
{
    private readonly TaskCompletionSource _together = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _arrived;
    private int _sent;

    public int Sent => Volatile.Read(ref _sent);

    public RecipientField Recipient => inner.Recipient;

    public async Task<SendOutcome> SendAsync(OutgoingMessage message, CancellationToken ct)
    {
        if (Interlocked.Increment(ref _arrived) >= parties) _together.TrySetResult();
        await Task.WhenAny(_together.Task, Task.Delay(TimeSpan.FromSeconds(2), ct));
        Interlocked.Increment(ref _sent);
        return await inner.SendAsync(message, ct);
    }
}

/// <summary>A provider that refuses every message for good.</summary>
internal sealed class FailingChannel : IChannel
{
    public RecipientField Recipient => Recipients.EmailAddress;

    public Task<SendOutcome> SendAsync(OutgoingMessage message, CancellationToken ct) => Task.FromResult<SendOutcome>(new SendOutcome.Failed("refused by the test", false));
}
