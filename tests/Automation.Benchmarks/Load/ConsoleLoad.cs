using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Automation.Benchmarks.Load;

/// <summary>
/// Times every console page against a running server: logs in as a console user, requests each page
/// <c>--requests</c> times one after another (after one untimed warm-up request, reported as "first"), and prints
/// p50, p99 and the slowest per page. Seed the server's database first, such as
/// <c>automation seed --customers 100000 --days 45</c>.
/// Run: <c>dotnet run -c Release --project tests/Automation.Benchmarks -- console --url http://127.0.0.1:5080
/// --user NAME --password PASSWORD [--requests 50] [--customer shopper-0000042]</c>.
/// </summary>
public static partial class ConsoleLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = IngestLoad.Options(args);
        if (!options.TryGetValue("url", out var url) || !options.TryGetValue("user", out var user) || !options.TryGetValue("password", out var password))
        {
            Console.Error.WriteLine("usage: console --url URL --user NAME --password PASSWORD [--requests 50] [--customer ID]");
            return 2;
        }
        var requests = int.Parse(options.GetValueOrDefault("requests", "50"), CultureInfo.InvariantCulture);
        var customer = options.GetValueOrDefault("customer", "shopper-0000042");
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = new Uri(url) };

        var login = await PostFormAsync(http, await TokenAsync(http, "/console/login"), "/console/login", new() { ["name"] = user, ["password"] = password });
        if (login.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException($"login failed: {(int)login.StatusCode}");
        // One token serves every form of the session, as in a browser tab: posts are timed without fetching a page first.
        var token = await TokenAsync(http, "/console/preview");

        var pages = new (string Name, Func<Task<HttpResponseMessage>> Request)[]
        {
            ("journeys", () => http.GetAsync("/console/journeys")),
            ("journey cart-recovery", () => http.GetAsync("/console/journeys/cart-recovery")),
            ("customer by id", () => http.GetAsync($"/console/customers?q={Uri.EscapeDataString(customer)}")),
            ("customer by email", () => http.GetAsync($"/console/customers?q={Uri.EscapeDataString(customer + "@example.com")}")),
            ("preview (POST)", () => PostFormAsync(http, token, "/console/preview", new() { ["step"] = "cart-recovery|reminder", ["customerId"] = customer })),
            ("simulate 3 days (POST)", () => PostFormAsync(http, token, "/console/simulate", new() { ["journey"] = "cart-recovery", ["customer"] = """{ "userId": "ann" }""",
                ["events"] = """[{ "at": "+0h", "event": "Product Added", "properties": { "product_id": "tea", "price": 12 } }]""", ["days"] = "3" })),
            ("analytics", () => http.GetAsync("/console/analytics")),
        };
        Console.WriteLine($"{url}: {requests} requests per page, one at a time, after one warm-up request (first)");
        foreach (var (name, request) in pages)
        {
            var first = await TimeAsync(request, name);
            var times = new List<double>();
            for (var i = 0; i < requests; i++) times.Add(await TimeAsync(request, name));
            times.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-24} first {first,7:N1} ms  p50 {Percentile(times, 0.50),7:N1} ms  p99 {Percentile(times, 0.99),7:N1} ms  max {times[^1],7:N1} ms"));
        }
        return 0;
    }

    private static async Task<double> TimeAsync(Func<Task<HttpResponseMessage>> request, string name)
    {
        var watch = Stopwatch.StartNew();
        using var response = await request();
        await response.Content.ReadAsByteArrayAsync();
        var elapsed = watch.Elapsed.TotalMilliseconds;
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"{name}: HTTP {(int)response.StatusCode}");
        return elapsed;
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static async Task<string> TokenAsync(HttpClient http, string path) => Token().Match(await http.GetStringAsync(path)).Groups[1].Value;

    private static Task<HttpResponseMessage> PostFormAsync(HttpClient http, string token, string path, Dictionary<string, string> form)
    {
        form["__RequestVerificationToken"] = token;
        return http.PostAsync(path, new FormUrlEncodedContent(form));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
