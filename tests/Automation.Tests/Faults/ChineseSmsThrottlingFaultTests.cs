using System.Diagnostics;
using System.Globalization;
using Automation.Channels;
using Automation.Core.Messaging;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Faults;

/// <summary>
/// Aliyun answers isv.BUSINESS_LIMIT_CONTROL, Tencent Cloud LimitExceeded.*, to everything for ten minutes (their
/// frequency control), then recovers. The server as wired for production backs off and sends every message once,
/// none lost, none twice. Time is a fake clock pumped forward, as in <see cref="TwilioThrottlingFaultTests"/>.
/// </summary>
[NonParallelizable]
[Category("Fault")]
public sealed class ChineseSmsThrottlingFaultTests
{
    private const int Customers = 12;
    private static readonly TimeSpan Throttled = TimeSpan.FromMinutes(10);

    [TestCase(SmsProviders.Aliyun)]
    [TestCase(SmsProviders.Tencent)]
    public async Task Frequency_control_for_ten_minutes_delays_every_sms_and_loses_or_repeats_none(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Sqlite);
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-06-01T04:00:00Z", CultureInfo.InvariantCulture));
        var recovers = clock.GetUtcNow() + Throttled;
        await using var sms = await FakeChineseSms.StartAsync(provider);
        sms.Throttling = () => clock.GetUtcNow() < recovers;
        var settings = sms.Settings();
        settings["Messaging:Dispatch"] = "true";
        settings["Messaging:PollMilliseconds"] = "20";
        settings["Guardrails:PerDay"] = "0";
        settings["Guardrails:PerWeek"] = "0";
        settings["Guardrails:QuietHours"] = "";
        await using var factory = new AutomationFactory(db, clock, settings: settings);
        FaultDrill.Write(factory.ContentRoot, "sms");
        File.WriteAllText(FaultDrill.TemplateFile(factory.ContentRoot, "sms"), """
            ---
            aliyun_template: SMS_100000999
            tencent_template: 1000999
            param.name: {{ customer.first_name }}
            ---
            【{{ shop.sign_name }}】{{ customer.first_name }}，演练通知。回T退订
            """);
        using var client = factory.CreateAuthorizedClient();

        var phones = Enumerable.Range(0, Customers).ToDictionary(i => $"throttle-{i}", i => $"+86138{10000000 + i}");
        foreach (var (user, phone) in phones) (await FaultDrill.EnterAsync(client, user, user, phone)).StatusCode.Should().Be(System.Net.HttpStatusCode.OK);

        var real = Stopwatch.StartNew();
        var sentDuringThrottling = 0;
        IReadOnlyList<Automation.Core.Storage.MessageView> messages = [];
        while (real.Elapsed < TimeSpan.FromSeconds(75))
        {
            clock.Advance(TimeSpan.FromSeconds(2));
            await Task.Delay(10);
            if (clock.GetUtcNow() < recovers) sentDuringThrottling = sms.Accepted.Count;
            messages = await db.Storage.ListAsync(null, 1000, CancellationToken.None);
            if (messages.Count(m => m.Status is MessageStatus.Sent or MessageStatus.Failed) == Customers) break;
        }

        var accepted = sms.Accepted.Select(r => provider == SmsProviders.Aliyun ? "+" + r["PhoneNumbers"] : r["Phone"]).ToList();
        var duplicates = accepted.Count - accepted.Distinct().Count();
        var lost = phones.Values.Count(phone => !accepted.Contains(phone));
        TestContext.Progress.WriteLine(
            $"{provider} frequency control for {Throttled.TotalMinutes:0} min (fake clock, {real.Elapsed.TotalSeconds:0.0} s real): {Customers} SMS, " +
            $"{sms.Requests.Count - accepted.Count} requests refused, attempts per message {messages.Min(m => m.Attempts)}-{messages.Max(m => m.Attempts)}; " +
            $"sent {accepted.Count - duplicates}, lost {lost}, duplicated {duplicates}");

        sentDuringThrottling.Should().Be(0);
        messages.Should().HaveCount(Customers).And.OnlyContain(m => m.Status == MessageStatus.Sent, "none is dead-lettered: {0}",
            string.Join("; ", messages.Where(m => m.Status != MessageStatus.Sent).Select(m => $"{m.Recipient} {m.Status} after {m.Attempts}: {m.LastError}")));
        lost.Should().Be(0);
        duplicates.Should().Be(0);
        foreach (var message in messages)
        {
            message.Attempts.Should().BeInRange(4, 7, "the outbox backoff doubles from 30 s: five waits (30 … 480 s, ±20 %) span ten minutes");
            message.SentAt.Should().BeOnOrAfter(recovers);
        }
    }
}
