using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Automation.Server.Cli;
using Automation.Server.Configuration;
using Automation.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Automation.Tests.Server;

/// <summary>The executable as a new user meets it: one command, shipped settings, clear refusals.</summary>
[NonParallelizable]
public sealed class ServerProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly int Latest = Automation.Storage.Migrations.SchemaMigrator.Available("sqlite")[^1].Version;
    private DirectoryInfo _root = null!;

    [SetUp]
    public void NewRoot() => _root = ServerProcess.NewContentRoot();

    [TearDown]
    public void RemoveRoot()
    {
        SqliteConnection.ClearAllPools();
        _root.Delete(recursive: true);
    }

    [Test]
    public async Task Starts_with_the_shipped_settings_on_an_embedded_database_and_serves_the_api()
    {
        var url = $"http://127.0.0.1:{ServerProcess.FreePort()}";
        await using var server = ServerProcess.Start(_root.FullName, $"--Urls={url}");
        await server.WaitUntilReadyAsync($"{url}/health/ready", Timeout);

        using var http = new HttpClient { BaseAddress = new Uri(url) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiOptions.DevelopmentKey);
        (await http.PostAsJsonAsync("/v1/track", new { userId = "first", @event = "Order Completed", properties = new { order_id = "1", total = 9.5 } }))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        var customer = JsonNode.Parse(await http.GetStringAsync("/v1/customers/first"))!;
        customer["stats"]!["totalSpent"]!.GetValue<decimal>().Should().Be(9.5m);
        File.Exists(Path.Combine(_root.FullName, "data", "automation.db")).Should().BeTrue();
    }

    [Test]
    public async Task A_key_rotated_in_appsettings_json_is_taken_without_a_restart()
    {
        // The settings file is polled rather than watched (see AutomationServer.Build): the reload must still come.
        var url = $"http://127.0.0.1:{ServerProcess.FreePort()}";
        await using var server = ServerProcess.Start(_root.FullName, $"--Urls={url}");
        await server.WaitUntilReadyAsync($"{url}/health/ready", Timeout);
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        async Task<HttpStatusCode> TrackWith(string key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/track")
            {
                Content = JsonContent.Create(new { userId = "rotating", @event = "Product Viewed" }),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            return (await http.SendAsync(request)).StatusCode;
        }
        (await TrackWith(ApiOptions.DevelopmentKey)).Should().Be(HttpStatusCode.OK);

        const string rotated = "rotated-key-0123456789abcdef";
        var settings = Path.Combine(_root.FullName, "appsettings.json");
        await File.WriteAllTextAsync(settings, (await File.ReadAllTextAsync(settings)).Replace(ApiOptions.DevelopmentKey, rotated));

        await Eventually.Until(async () => await TrackWith(rotated) == HttpStatusCode.OK, what: "the rotated key accepted");
        (await TrackWith(ApiOptions.DevelopmentKey)).Should().Be(HttpStatusCode.Unauthorized);
    }

    [TestCase("--Storage:Provider=mysql", "error: Storage:Provider must be 'sqlite' or 'postgres', not 'mysql'.")]
    [TestCase("--Storage:Provider=postgres", "error: Storage:ConnectionString is required when Storage:Provider is 'postgres'")]
    [TestCase("--Urls=ftp://127.0.0.1:21", "error: Urls must be ';'-separated http:// or https:// addresses")]
    [TestCase("--Api:Keys:0=short", "error: Api:Keys:0 must be at least 16 characters long.")]
    [TestCase("--Console:Users:0:Name=ann", "error: Console:Users:0:PasswordHash is not a password hash; make one with `automation console-user ann`.")]
    [TestCase("--Channels:File:From=automation", "error: Channels:File:From must be an email address such as automation@localhost, not 'automation'.")]
    [TestCase("--Channels:Email:Port=70000", "error: Channels:Email:Port must be from 1 to 65535, not 70000.")]
    [TestCase("--Channels:Email:Port=many", "error: Channels:Email:Port must be a whole number, not 'many'.")]
    [TestCase("--Channels:Sms:AccountSid=AC0123456789", "error: Channels:Sms:AuthToken is required when Channels:Sms:AccountSid is set.")]
    [TestCase("--Channels:Sms:Provider=yunpian", "error: Channels:Sms:Provider must be 'twilio', 'aliyun' or 'tencent', not 'yunpian'.")]
    [TestCase("--Channels:Sms:Provider=aliyun", "error: Channels:AliyunSms:AccessKeyId is required when Channels:Sms:Provider is 'aliyun'.")]
    [TestCase("--Channels:Sms:Provider=tencent", "error: Channels:TencentSms:SecretId is required when Channels:Sms:Provider is 'tencent'.")]
    [TestCase("--Messaging:DefaultRegion=China", "error: Messaging:DefaultRegion must be a two-letter region code such as CN or US, not 'China'.")]
    [TestCase("--Channels:WeChat:AppId=wx0123456789abcdef", "error: Channels:WeChat:AppSecret is required when Channels:WeChat:AppId is set.")]
    [TestCase("--Channels:WeChat:AppId=shop", "error: Channels:WeChat:AppId must be 'wx' and 16 hexadecimal digits (wx1234567890abcdef), not 'shop'.")]
    [TestCase("--Points:Value=0", "error: Points:Value must be above 0 and at most 1000000 (currency units per point), not 0.")]
    [TestCase("--Points:MinimumRedemption=0", "error: Points:MinimumRedemption must be at least 1 point, not 0.")]
    [TestCase("--Analytics:ReturningShareTarget=50", "error: Analytics:ReturningShareTarget must be a share from 0 to 1 (0.5 is 50 %), not 50.")]
    [TestCase("--Points:MaxOrderShare=1.5", "error: Points:MaxOrderShare must be above 0 and at most 1 (a fraction of the order), not 1.5.")]
    [TestCase("--Replenishment:LeadDays=-1", "error: Replenishment:LeadDays must be from 0 to 60 days, not -1.")]
    [TestCase("--Replenishment:ReorderUrl=shop.example/reorder", "error: Replenishment:ReorderUrl must be an absolute http(s) URL with {products} where the product ids go, not 'shop.example/reorder'.")]
    [TestCase("--Channels:Webhook:Url=hooks.example.com/automation", "error: Channels:Webhook:Url must be an http(s) address such as https://hooks.example.com/automation, not 'hooks.example.com/automation'.")]
    [TestCase("--Channels:AliyunSms:CallbackToken=short", "error: Channels:AliyunSms:CallbackToken must be at least 22 letters, digits, '-' or '_'")]
    [TestCase("--Channels:TencentSms:CallbackToken=has spaces in it, which a URL path mangles", "error: Channels:TencentSms:CallbackToken must be at least 22 letters")]
    [TestCase("--Telemetry:OutboxDepthSeconds=0", "error: Telemetry:OutboxDepthSeconds must be 1 or more, not 0.")]
    public async Task A_bad_setting_stops_start_up_with_one_line_naming_it(string setting, string expected)
    {
        await using var server = ServerProcess.Start(_root.FullName, $"--Urls=http://127.0.0.1:{ServerProcess.FreePort()}", setting);
        var (exitCode, _, stderr) = await server.WaitForExitAsync(Timeout);

        exitCode.Should().Be(2);
        stderr.Trim().Should().StartWith(expected).And.NotContain("\n").And.NotContain("   at ");
    }

    [Test]
    public async Task The_shipped_development_key_is_refused_beyond_loopback()
    {
        await using var server = ServerProcess.Start(_root.FullName, $"--Urls=http://0.0.0.0:{ServerProcess.FreePort()}");
        var (exitCode, _, stderr) = await server.WaitForExitAsync(Timeout);

        exitCode.Should().Be(2);
        stderr.Should().Contain("Api:Keys holds the shipped development key").And.Contain("http://0.0.0.0");
    }

    [Test]
    public async Task The_shipped_development_key_is_refused_on_a_kestrel_endpoint_beyond_loopback()
    {
        await using var server = ServerProcess.Start(_root.FullName, $"--Urls=http://127.0.0.1:{ServerProcess.FreePort()}",
            $"--Kestrel:Endpoints:Public:Url=http://0.0.0.0:{ServerProcess.FreePort()}");
        var (exitCode, _, stderr) = await server.WaitForExitAsync(Timeout);

        exitCode.Should().Be(2, stderr);
        stderr.Should().Contain("Api:Keys holds the shipped development key").And.Contain("Kestrel:Endpoints:Public:Url includes 'http://0.0.0.0");
    }

    [TestCase("help", 0)]
    [TestCase("--help", 0)]
    [TestCase("-h", 0)]
    [TestCase("valdiate", 2)]
    [TestCase("console-usr", 2)]
    public async Task Help_prints_the_commands_and_an_unknown_command_fails_instead_of_starting_the_server(string command, int expectedExit)
    {
        // A setting after an unknown command would start no server either: it is an error too.
        string[] args = expectedExit == 0 ? [command] : [command, $"--Urls=http://127.0.0.1:{ServerProcess.FreePort()}"];
        await using var process = ServerProcess.Start(_root.FullName, args);
        var (exitCode, stdout, stderr) = await process.WaitForExitAsync(Timeout);

        exitCode.Should().Be(expectedExit, stderr);
        var usage = expectedExit == 0 ? stdout : stderr;
        usage.Should().Contain("dotnet run --project src/Automation.Server --").And.Contain("console-user").And.Contain("validate");
        if (expectedExit != 0) stderr.Should().StartWith($"error: Unrecognized command or argument '{command}'.");
        File.Exists(Path.Combine(_root.FullName, "data", "automation.db")).Should().BeFalse("no server started");
    }

    [Test]
    public async Task Every_command_answers_help_with_its_options()
    {
        var commands = AutomationCommand.Create(TextReader.Null, TimeProvider.System).Subcommands;
        var answers = await Task.WhenAll(commands.Select(async command =>
        {
            await using var process = ServerProcess.Start(_root.FullName, command.Name, "--help");
            return (command, await process.WaitForExitAsync(Timeout));
        }));

        commands.Should().HaveCountGreaterThan(7);
        foreach (var (command, (exitCode, stdout, stderr)) in answers)
        {
            exitCode.Should().Be(0, $"{command.Name}: {stderr}");
            stdout.Should().Contain($"automation {command.Name}").And.Contain(command.Description!).And.Contain("--help");
            foreach (var option in command.Options) stdout.Should().Contain(option.Name, command.Name).And.Contain(option.Description!);
            if (!command.TreatUnmatchedTokensAsErrors) stdout.Should().Contain("--Key=value", $"{command.Name} passes server settings through");
        }
    }

    [Test]
    public async Task A_bad_option_of_a_command_is_named_with_its_usage_and_exit_code_2()
    {
        await using var process = ServerProcess.Start(_root.FullName, "seed", "--customers", "lots");
        var (exitCode, stdout, stderr) = await process.WaitForExitAsync(Timeout);

        exitCode.Should().Be(2);
        stdout.Should().BeEmpty();
        stderr.Should().StartWith("error: --customers: must be a whole number from 1 to 10000000, not 'lots'.").And.Contain("automation seed [options]");
    }

    [Test]
    public async Task Migrate_applies_the_schema_and_a_newer_database_is_refused_at_start()
    {
        await using (var migrate = ServerProcess.Start(_root.FullName, "migrate"))
        {
            var (exitCode, stdout, stderr) = await migrate.WaitForExitAsync(Timeout);
            exitCode.Should().Be(0, stderr);
            stdout.Should().Contain($"Schema version is now {Latest}");
        }
        await using (var again = ServerProcess.Start(_root.FullName, "migrate"))
            (await again.WaitForExitAsync(Timeout)).Stdout.Should().Contain($"up to date at schema version {Latest}");

        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(_root.FullName, "data", "automation.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO schema_version (version, name, applied_at) VALUES (42, 'future', '2030-01-01')";
            await command.ExecuteNonQueryAsync();
        }
        await using var server = ServerProcess.Start(_root.FullName, $"--Urls=http://127.0.0.1:{ServerProcess.FreePort()}");
        var (code, _, error) = await server.WaitForExitAsync(Timeout);
        code.Should().Be(2);
        error.Should().Contain($"error: The database schema is at version 42, but this build of Automation knows only up to version {Latest}.");
    }
}
