using Automation.Tests.Support;

namespace Automation.Tests.Server.Cli;

public sealed class ValidateCommandTests
{
    private DirectoryInfo _root = null!;

    private const string Welcome = """
        {
          "WorkflowName": "welcome",
          "Trigger": { "Event": "Signed Up" },
          "Rules": [
            { "RuleName": "hello", "Expression": "journey.HoursSinceEntry >= 0",
              "Actions": { "OnSuccess": { "Name": "Send", "Context": { "Channel": "email", "Template": "welcome/hello" } } } }
          ]
        }
        """;

    [SetUp]
    public void CreateRoot()
    {
        _root = Directory.CreateTempSubdirectory("automation-validate-");
        Directory.CreateDirectory(Path.Combine(_root.FullName, "rules"));
        Directory.CreateDirectory(Path.Combine(_root.FullName, "templates", "welcome"));
        File.WriteAllText(Path.Combine(_root.FullName, "rules", "welcome.json"), Welcome);
        File.WriteAllText(Path.Combine(_root.FullName, "rules", "schema.json"), "{}");
        File.WriteAllText(Path.Combine(_root.FullName, "templates", "welcome", "hello.email.zh-CN.liquid"), "---\nsubject: 你好\n---\n<p>你好，{{ customer.first_name }}</p>");
    }

    [TearDown]
    public void RemoveRoot() => _root.Delete(recursive: true);

    private Task<(int Code, string Out, string Err)> Run(params string[] args) => AutomationCli.RunAsync(["validate", "--contentRoot", _root.FullName, .. args]);

    [Test]
    public async Task Valid_journeys_exit_0()
    {
        var (code, output, errors) = await Run();
        errors.Should().BeEmpty();
        code.Should().Be(0);
        output.Should().Contain("1 journey(s) and 0 coupon campaign(s) valid in rules; their templates render.");
    }

    [Test]
    public async Task A_template_that_would_fail_at_send_time_fails_validation()
    {
        File.WriteAllText(Path.Combine(_root.FullName, "templates", "welcome", "hello.email.zh-CN.liquid"), "---\nsubject: 你好\n---\n<p>你好</p>\n<p>{{ customer.nickname }}</p>");
        var (code, _, errors) = await Run();
        code.Should().Be(1);
        errors.Trim().Should().Be("templates/welcome/hello.email.zh-CN.liquid:5: Variable 'customer.nickname' could not be found");
    }

    [Test]
    public async Task Each_problem_is_one_line_with_file_line_rule_and_reason()
    {
        File.WriteAllText(Path.Combine(_root.FullName, "rules", "welcome.json"), Welcome.Replace("\"welcome/hello\"", "\"welcome/missing\""));
        File.WriteAllText(Path.Combine(_root.FullName, "rules", "broken.json"), "{ \"WorkflowName\": \"broken\",\n  \"Trigger\": ");

        var (code, _, errors) = await Run();
        code.Should().Be(1);
        errors.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().Equal(
            "rules/broken.json:2: malformed JSON: Expected depth to be zero at the end of the JSON payload. There is an open JSON object or array that should be closed",
            "rules/welcome.json:6 hello: Rules[0].Actions.OnSuccess.Context.Template: no template 'templates/welcome/missing.email.liquid' (or a localised variant)");
    }

    [Test]
    public async Task Draw_files_are_checked_against_the_tiers_with_file_and_line()
    {
        var draws = Directory.CreateDirectory(Path.Combine(_root.FullName, "rules", "draws")).FullName;
        File.WriteAllText(Path.Combine(_root.FullName, "rules", "tiers.json"), """{ "Tiers": [ { "Name": "Member", "Perks": {} } ] }""");
        const string draw = """
            {
              "EntryCost": 50,
              "EligibleTiers": ["Member"],
              "Prizes": [ { "Name": "thanks", "Kind": "nothing", "Weight": 1 } ]
            }
            """;
        File.WriteAllText(Path.Combine(draws, "weekly.json"), draw);
        var (code, output, _) = await Run();
        code.Should().Be(0);
        output.Should().Contain("1 draw(s) valid in rules/draws.");

        File.WriteAllText(Path.Combine(draws, "weekly.json"), draw.Replace("[\"Member\"]", "[\"Gold\"]").Replace("\"nothing\"", "\"points\""));
        var failed = await Run();
        failed.Code.Should().Be(1);
        failed.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().Equal(
            "rules/draws/weekly.json:3: EligibleTiers[0]: 'Gold' is not a tier of rules/tiers.json (Member)",
            "rules/draws/weekly.json:4 thanks: Prizes[0].Stock: is required",
            "rules/draws/weekly.json:4 thanks: Prizes[0].Points: is required");
    }

    [Test]
    public async Task The_presales_file_is_checked_against_the_tiers_with_file_and_line()
    {
        File.WriteAllText(Path.Combine(_root.FullName, "rules", "tiers.json"), """{ "Tiers": [ { "Name": "Member", "Perks": {} }, { "Name": "Gold", "MinSpend": 1000, "Perks": { "early_access_hours": 24 } } ] }""");
        const string presales = """
            {
              "Sales": [
                { "Name": "autumn", "Title": "Autumn", "Products": "all", "OpensAt": "2026-09-01T10:00:00+08:00",
                  "EarlyAccess": { "Tiers": { "Gold": 12 } } }
              ]
            }
            """;
        File.WriteAllText(Path.Combine(_root.FullName, "rules", "presales.json"), presales);
        var (code, output, _) = await Run();
        code.Should().Be(0);
        output.Should().Contain("1 pre-sale(s) valid in rules/presales.json.");

        File.WriteAllText(Path.Combine(_root.FullName, "rules", "presales.json"), presales.Replace("\"Gold\": 12", "\"Platinum\": 12"));
        var failed = await Run();
        failed.Code.Should().Be(1);
        failed.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().Equal(
            "rules/presales.json:4 autumn: Sales[0].EarlyAccess.Tiers.Platinum: 'Platinum' is not a tier of rules/tiers.json (Member, Gold)");
    }

    [Test]
    public async Task A_coupon_reward_naming_an_unknown_campaign_fails_with_file_and_line()
    {
        var rules = Path.Combine(_root.FullName, "rules");
        File.WriteAllText(Path.Combine(rules, "rewards.json"), """
            {
              "Items": [
                { "Name": "cup", "Title": "Cup", "Kind": "gift", "Points": 500 },
                { "Name": "coupon-10", "Title": "10 off", "Kind": "coupon", "Campaign": "nowhere", "Points": 1000 }
              ]
            }
            """);
        var (code, _, errors) = await Run();
        code.Should().Be(1);
        errors.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().Equal(
            "rules/rewards.json:4 coupon-10: Items[1].Campaign: 'nowhere' is not a coupon campaign of rules/coupons/");
    }

    [Test]
    public async Task A_segment_whose_expression_does_not_compile_is_named_with_file_and_line()
    {
        var segments = Directory.CreateDirectory(Path.Combine(_root.FullName, "rules", "segments")).FullName;
        File.WriteAllText(Path.Combine(segments, "big.json"), "{ \"Expression\": \"stats.TotalSpent >= 500\" }");
        var good = await Run();
        good.Code.Should().Be(0);
        good.Out.Should().Contain("1 segment(s) valid in rules/segments.");

        File.WriteAllText(Path.Combine(segments, "big.json"), "{\n  \"Expression\": \"stats.Spent >= 500\"\n}");
        var (code, _, errors) = await Run();
        code.Should().Be(1);
        errors.Trim().Should().StartWith("rules/segments/big.json:2: Expression: does not compile");

        // One that compiles but would not finish for a busy customer: refused the same way, naming the budget.
        const string cubic = "customer.Traits.Keys.Any(a => customer.Traits.Keys.Any(b => customer.Traits.Keys.Any(c => a + b + c == \\\"none\\\")))";
        File.WriteAllText(Path.Combine(segments, "big.json"), $"{{\n  \"Expression\": \"{cubic}\"\n}}");
        (code, _, errors) = await Run();
        code.Should().Be(1);
        errors.Trim().Should().Be("rules/segments/big.json:2: Expression: is too costly to run for every customer: on one with 60 tags and traits it took more than 100,000 steps (Rules:MaxSteps)");
    }

    [Test]
    public async Task Other_folders_can_be_named()
    {
        Directory.Move(Path.Combine(_root.FullName, "rules"), Path.Combine(_root.FullName, "journeys"));
        (await Run("--rules", "journeys")).Code.Should().Be(0);
        (await Run("--rules=journeys", "--templates", "nowhere")).Code.Should().Be(1);
    }
}
