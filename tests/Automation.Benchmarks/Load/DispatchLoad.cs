using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Automation.Storage;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Automation.Benchmarks.Load;

/// <summary>
/// Dispatch throughput, end to end through the real server: <c>--messages</c> due messages are queued first (a
/// journey that sends at once, ingested with dispatch off), then the server starts with dispatch on and the time
/// until every message is sent is measured. The first <c>--warmup</c> messages (30,000 unless set; 0 measures a cold
/// start) are sent before the clock starts: until then tiered compilation takes up to a core of a 2-core machine,
/// which a server that runs for days pays once. <c>--channel sms</c> sends to a Twilio-compatible server on loopback
/// (Kestrel, answering as Twilio's Messages API does); <c>--channel email</c> to Postfix's <c>smtp-sink</c> on loopback
/// (Debian's postfix package; the MTA itself need not run), through MailKit's connection pool. <c>--sms-provider
/// aliyun</c> or <c>tencent</c> sends the SMS to a loopback server answering as Aliyun's or Tencent Cloud's SendSms does
/// (the adapter signs every request; the server does not check it, as the fake Twilio checks no auth either).
/// Run: <c>dotnet run -c Release --project tests/Automation.Benchmarks -- dispatch --channel sms --messages 5000</c>.
/// </summary>
public static class DispatchLoad
{
    private const string ApiKey = "load-test-key-0123456789abcdef";

    public static async Task<int> RunAsync(string[] args)
    {
        var options = IngestLoad.Options(args);
        var channel = options.GetValueOrDefault("channel", "sms");
        var messages = int.Parse(options.GetValueOrDefault("messages", "5000"), CultureInfo.InvariantCulture);
        var warmup = int.Parse(options.GetValueOrDefault("warmup", "30000"), CultureInfo.InvariantCulture);
        var provider = options.GetValueOrDefault("provider", "sqlite");
        var batchSize = options.GetValueOrDefault("batch-size", "100");
        var concurrency = options.GetValueOrDefault("concurrency", "16");
        var smsProvider = options.GetValueOrDefault("sms-provider", "twilio");
        var marketing = options.GetValueOrDefault("marketing", "false") == "true";
        var root = Directory.CreateTempSubdirectory("automation-dispatch-");
        WriteJourney(root.FullName, channel, marketing);
        var common = new List<string>
        {
            "--contentRoot", root.FullName, "--Api:Keys:0", ApiKey, "--Logging:LogLevel:Default", "Warning", "--Storage:Provider", provider,
            "--Scheduler:Enabled", "false", "--Messaging:BatchSize", batchSize, "--Messaging:Concurrency", concurrency,
            // Marketing pays the suppression check and the frequency cap's claim; quiet hours would only defer the run.
            "--Guardrails:QuietHours", "",
        };
        if (provider == "postgres")
            common.AddRange(["--Storage:ConnectionString", BenchmarkStorage.PostgresConnectionString]);

        await using var receiver = (channel, smsProvider) switch
        {
            ("sms", "aliyun") => await Receiver.AliyunAsync(),
            ("sms", "tencent") => await Receiver.TencentAsync(),
            ("sms", _) => await Receiver.TwilioAsync(),
            _ => Receiver.Smtp(),
        };
        try
        {
            await QueueAsync(common, warmup + messages, channel);
            var port = IngestLoad.FreePort();
            await using var app = Automation.Server.AutomationServer.Build([.. common, "--Urls", $"http://127.0.0.1:{port}", .. receiver.Settings]);
            var storage = app.Services.GetRequiredService<AutomationStorage>();
            using var process = Process.GetCurrentProcess();
            await app.StartAsync();
            var watch = Stopwatch.StartNew();
            // The clock starts at the first look that finds the warm-up sent, with what was sent by then; the second
            // half of the measured messages is reported on its own too.
            Mark? start = warmup == 0 ? Mark.Now(watch, process, 0) : null, half = null;
            long sent;
            do
            {
                await Task.Delay(100);
                await using var connection = await storage.OpenConnectionAsync(CancellationToken.None);
                sent = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE status = 'sent'");
                if (start is null && sent >= warmup) start = Mark.Now(watch, process, sent);
                if (start is not null && half is null && sent >= warmup + messages / 2) half = Mark.Now(watch, process, sent);
            }
            while (sent < warmup + messages && watch.Elapsed < TimeSpan.FromMinutes(10));
            var end = Mark.Now(watch, process, sent);
            await app.StopAsync();
            var measured = end - (start ?? end);
            var secondHalf = half is { } h ? end - h : null;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{provider}, {channel}{(channel == "sms" ? $" ({smsProvider})" : "")}: {measured.Sent:N0} messages sent after {start?.Sent ?? sent:N0} of warm-up, in {measured.Elapsed.TotalSeconds:N1} s " +
                $"({measured.Cpu.TotalSeconds:N1} s of CPU, the receiver's included; {measured.Compiled:N0} methods compiled): {measured.Rate:N0} messages/s " +
                $"(batches of {batchSize}, {concurrency} at once), {secondHalf?.Rate ?? double.NaN:N0}/s over the second half; the receiver got {receiver.Received}"));
            return sent == warmup + messages ? 0 : 1;
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    /// <summary>A moment of the run: the time, the process's CPU, the methods compiled so far and the messages sent by then.</summary>
    private sealed record Mark(TimeSpan Elapsed, TimeSpan Cpu, long Compiled, long Sent)
    {
        public static Mark Now(Stopwatch watch, Process process, long sent)
        {
            process.Refresh();
            return new Mark(watch.Elapsed, process.TotalProcessorTime, System.Runtime.JitInfo.GetCompiledMethodCount(), sent);
        }

        public double Rate => Sent / Elapsed.TotalSeconds;

        public static Mark operator -(Mark later, Mark earlier) =>
            new(later.Elapsed - earlier.Elapsed, later.Cpu - earlier.Cpu, later.Compiled - earlier.Compiled, later.Sent - earlier.Sent);
    }

    // A journey that sends one message at once to every customer who asks: transactional (no suppression list, no
    // caps), or with --marketing a marketing one (`--marketing true`), which the default caps let through (one a day) after checking both.
    private static void WriteJourney(string root, string channel, bool marketing)
    {
        Directory.CreateDirectory(Path.Combine(root, "rules"));
        Directory.CreateDirectory(Path.Combine(root, "templates", "bench"));
        File.WriteAllText(Path.Combine(root, "rules", "bench.json"), $$"""
            {
              "WorkflowName": "bench",
              "Trigger": { "Event": "Bench Requested" },
              "Rules": [ { "RuleName": "send", "Expression": "journey.HoursSinceEntry >= 0",
                "Actions": { "OnSuccess": { "Name": "Send", "Context": { "Channel": "{{channel}}", "Template": "bench/message", "Transactional": {{(marketing ? "false" : "true")}} } } } } ]
            }
            """);
        File.WriteAllText(Path.Combine(root, "templates", "bench", $"message.{channel}.liquid"), channel == "sms"
            ? "---\naliyun_template: SMS_100000999\ntencent_template: 1000999\nparam.name: {{ customer.first_name }}\n---\nHi {{ customer.first_name }}, your order is on its way."
            : "---\nsubject: Your order, {{ customer.first_name }}\n---\n<p>Hi {{ customer.first_name }},</p><p>your order is on its way.</p>");
    }

    private static async Task QueueAsync(List<string> common, int messages, string channel)
    {
        var port = IngestLoad.FreePort();
        await using var app = Automation.Server.AutomationServer.Build([.. common, "--Urls", $"http://127.0.0.1:{port}", "--Messaging:Dispatch", "false"]);
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        for (var first = 0; first < messages; first += 50)
        {
            var batch = new JsonArray();
            for (var i = first; i < Math.Min(messages, first + 50); i++)
            {
                var userId = $"bench-{i}";
                batch.Add(new JsonObject { ["type"] = "identify", ["userId"] = userId, ["traits"] = new JsonObject { ["firstName"] = "Sam", ["email"] = $"{userId}@example.com", ["phone"] = $"+86138{i:D8}" } });
                batch.Add(new JsonObject { ["type"] = "track", ["userId"] = userId, ["event"] = "Bench Requested", ["properties"] = new JsonObject { ["channel"] = channel } });
            }
            using var response = await client.PostAsync("/v1/batch", new StringContent(new JsonObject { ["batch"] = batch }.ToJsonString(), Encoding.UTF8, "application/json"));
            response.EnsureSuccessStatusCode();
        }
        await app.StopAsync();
    }

    /// <summary>Where messages go: a fake Twilio or a real SMTP server, both on loopback, counting what arrives.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly Func<long>? _received;
        private readonly Func<ValueTask> _stop;

        private Receiver(string[] settings, Func<long>? received, Func<ValueTask> stop)
        {
            Settings = settings;
            _received = received;
            _stop = stop;
        }

        public string[] Settings { get; }
        /// <summary>What arrived, where the receiver can count it.</summary>
        public string Received => _received is null ? "uncounted" : _received().ToString("N0", CultureInfo.InvariantCulture);

        public static async Task<Receiver> TwilioAsync()
        {
            var url = $"http://127.0.0.1:{IngestLoad.FreePort()}";
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls(url);
            builder.Logging.ClearProviders();
            var app = builder.Build();
            long count = 0;
            app.MapPost("/2010-04-01/Accounts/{sid}/Messages.json", async (HttpRequest request) =>
            {
                var form = await request.ReadFormAsync();
                var n = Interlocked.Increment(ref count);
                return Results.Json(new { sid = $"SM{n:D32}", status = "queued", to = form["To"].ToString() }, statusCode: 201);
            });
            await app.StartAsync();
            return new Receiver(["--Channels:Sms:AccountSid", "ACbench", "--Channels:Sms:AuthToken", "bench-token", "--Channels:Sms:From", "+15005550006",
                "--Channels:Sms:BaseUrl", url, "--Channels:Sms:StatusCallbackUrl", "http://127.0.0.1:9/twilio/status"], () => Interlocked.Read(ref count), () => app.DisposeAsync());
        }

        public static async Task<Receiver> AliyunAsync()
        {
            long count = 0;
            var (url, app) = await ServeAsync(async request =>
            {
                await request.ReadFormAsync();
                var n = Interlocked.Increment(ref count);
                return Results.Text($$"""{"Code":"OK","Message":"OK","BizId":"{{n}}^0","RequestId":"bench"}""", "application/json");
            });
            return new Receiver(["--Channels:Sms:Provider", "aliyun", "--Channels:AliyunSms:AccessKeyId", "LTAIbench", "--Channels:AliyunSms:AccessKeySecret", "bench-secret",
                "--Channels:AliyunSms:SignName", "测试小店", "--Channels:AliyunSms:BaseUrl", url], () => Interlocked.Read(ref count), () => app.DisposeAsync());
        }

        public static async Task<Receiver> TencentAsync()
        {
            long count = 0;
            var (url, app) = await ServeAsync(async request =>
            {
                using var reader = new StreamReader(request.Body);
                await reader.ReadToEndAsync();
                var n = Interlocked.Increment(ref count);
                return Results.Text($$$"""{"Response":{"SendStatusSet":[{"SerialNo":"5000:{{{n}}}","Code":"Ok","Message":"send success"}],"RequestId":"bench"}}""", "application/json");
            });
            return new Receiver(["--Channels:Sms:Provider", "tencent", "--Channels:TencentSms:SecretId", "AKIDbench", "--Channels:TencentSms:SecretKey", "bench-secret",
                "--Channels:TencentSms:SdkAppId", "1400006666", "--Channels:TencentSms:SignName", "测试小店", "--Channels:TencentSms:BaseUrl", url], () => Interlocked.Read(ref count), () => app.DisposeAsync());
        }

        private static async Task<(string Url, WebApplication App)> ServeAsync(Func<HttpRequest, Task<IResult>> answer)
        {
            var url = $"http://127.0.0.1:{IngestLoad.FreePort()}";
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls(url);
            builder.Logging.ClearProviders();
            var app = builder.Build();
            app.MapPost("/", answer);
            await app.StartAsync();
            return (url, app);
        }

        // Postfix's smtp-sink accepts and drops each message, over as many connections as the pool opens, in C: it bounds
        // nothing we measure (aiosmtpd, single-threaded Python, took only about 700 messages/s). It never writes a mailbox,
        // which would measure the disk, not us.
        public static Receiver Smtp()
        {
            var port = IngestLoad.FreePort();
            var start = new ProcessStartInfo(SmtpSink, ["-u", "nobody", $"127.0.0.1:{port}", "256"])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            var process = Process.Start(start) ?? throw new InvalidOperationException($"{SmtpSink} did not start (apt-get install postfix).");
            for (var i = 0; i < 50 && !IngestLoad.Listening(port); i++) Thread.Sleep(100);
            return new Receiver(["--Channels:Email:Host", "127.0.0.1", "--Channels:Email:Port", port.ToString(CultureInfo.InvariantCulture), "--Channels:Email:Security", "None",
                    "--Channels:Email:PoolSize", "8"],
                null,
                () =>
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit();
                    return ValueTask.CompletedTask;
                });
        }

        private const string SmtpSink = "/usr/sbin/smtp-sink";

        public ValueTask DisposeAsync() => _stop();
    }
}
