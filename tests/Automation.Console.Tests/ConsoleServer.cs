using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Automation.Tests.Support;

namespace Automation.Console.Tests;

/// <summary>
/// The built <c>automation</c> server as a process on a loopback port, on SQLite, with a copy of the shipped rules and
/// templates in which <c>rules/birthday.json</c> is broken, two console users made with <c>automation console-user</c>
/// (an admin and a viewer), and seeded customers plus one known one.
/// </summary>
public sealed class ConsoleServer : IAsyncDisposable
{
    public const string UserName = "tester";
    public const string ViewerName = "looker";
    public const string Password = "a-long-test-password-1";
    public const string ApiKey = "console-test-key-0123456789";
    public const string KnownEmail = "ann.console@example.com";
    public const string KnownPhone = "+14155550199";
    public const string KnownId = "ann-console";

    private readonly ServerProcess _process;

    private ConsoleServer(DirectoryInfo root, ServerProcess process, string url)
    {
        Root = root;
        _process = process;
        Url = url;
    }

    public DirectoryInfo Root { get; }
    public string Url { get; }

    /// <summary>
    /// Starts a server; with <paramref name="sending"/> its scheduler ticks every second and it dispatches to the file
    /// outbox, without quiet hours and with caps high enough that a broadcast's messages are sent, not held back.
    /// </summary>
    public static async Task<ConsoleServer> StartAsync(bool sending = false)
    {
        var repository = ServerProcess.RepositoryRoot();
        var root = Directory.CreateTempSubdirectory("automation-console-");
        foreach (var folder in new[] { "rules", "templates" })
        {
            var source = Path.Combine(repository, folder);
            foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(root.FullName, folder, Path.GetRelativePath(source, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
        }
        BreakJourney(Path.Combine(root.FullName, "rules", "birthday.json"));

        var (code, entry, errors) = await RunAsync(root.FullName, Password + "\n", "console-user", UserName, "--role", "admin");
        if (code != 0) throw new InvalidOperationException($"automation console-user failed: {errors}");
        (code, var viewer, errors) = await RunAsync(root.FullName, Password + "\n", "console-user", ViewerName, "--role", "viewer");
        if (code != 0) throw new InvalidOperationException($"automation console-user failed: {errors}");
        var port = ServerProcess.FreePort();
        var url = $"http://127.0.0.1:{port}";
        var settings = new JsonObject
        {
            ["Urls"] = url,
            ["Storage"] = new JsonObject { ["Provider"] = "sqlite", ["ConnectionString"] = "Data Source=data/automation.db" },
            ["Api"] = new JsonObject { ["Keys"] = new JsonArray(ApiKey) },
            ["Scheduler"] = sending ? new JsonObject { ["Enabled"] = true, ["TickSeconds"] = 1 } : new JsonObject { ["Enabled"] = false },
            ["Messaging"] = sending ? new JsonObject { ["Dispatch"] = true, ["PollMilliseconds"] = 200 } : new JsonObject { ["Dispatch"] = false },
            ["Guardrails"] = sending ? new JsonObject { ["QuietHours"] = "", ["PerDay"] = 100, ["PerWeek"] = 100 } : new JsonObject(),
            ["Rules"] = new JsonObject { ["ReloadSeconds"] = 1 },
            ["Analytics"] = new JsonObject { ["ReturningShareTarget"] = 0.5 },
            ["Console"] = new JsonObject { ["Users"] = new JsonArray(JsonNode.Parse(entry), JsonNode.Parse(viewer)), ["SessionMinutes"] = 60 },
        };
        await File.WriteAllTextAsync(Path.Combine(root.FullName, "appsettings.json"), settings.ToJsonString());

        (code, _, errors) = await RunAsync(root.FullName, "", "seed", "--customers", "40", "--days", "60", "--into-live");
        if (code != 0) throw new InvalidOperationException($"automation seed failed: {errors}");

        var server = new ConsoleServer(root, ServerProcess.Start(root.FullName), url);
        await server._process.WaitUntilReadyAsync($"{url}/health/ready", TimeSpan.FromSeconds(60));
        await server.IdentifyKnownCustomerAsync();
        return server;
    }

    /// <summary>Makes the first rule's expression name a field that does not exist: the file is invalid at that rule's line.</summary>
    public static void BreakJourney(string file)
    {
        const string expression = "\"Expression\": \"";
        var text = File.ReadAllText(file);
        var at = text.IndexOf(expression, StringComparison.Ordinal) + expression.Length;
        File.WriteAllText(file, string.Concat(text.AsSpan(0, at), "journey.NoSuchField > 0 && ", text.AsSpan(at)));
    }

    private async Task IdentifyKnownCustomerAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri(Url) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", ApiKey);
        var response = await http.PostAsJsonAsync("/v1/identify", new
        {
            userId = KnownId,
            traits = new { email = KnownEmail, phone = KnownPhone, name = "Ann Console", timezone = "Europe/Paris" },
        });
        response.EnsureSuccessStatusCode();
        response = await http.PostAsJsonAsync("/v1/track", new
        {
            userId = KnownId,
            @event = "Product Added",
            properties = new { product_id = "tea-100g", name = "Green tea", price = 21.25, quantity = 2 },
        });
        response.EnsureSuccessStatusCode();
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string contentRoot, string input, params string[] args)
    {
        await using var process = ServerProcess.Start(contentRoot, args);
        await process.WriteInputAsync(input);
        return await process.WaitForExitAsync(TimeSpan.FromMinutes(3));
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        Root.Delete(recursive: true);
    }
}
