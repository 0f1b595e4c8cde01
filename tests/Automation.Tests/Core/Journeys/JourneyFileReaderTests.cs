using System.Text;
using Automation.Core.Journeys;

namespace Automation.Tests.Core.Journeys;

public sealed class JourneyFileReaderTests
{
    private const string CartRecovery = """
        {
          "$schema": "./schema.json",
          "WorkflowName": "cart-recovery",
          "Description": "Remind shoppers who left items in the cart",
          "Trigger": { "Event": "Product Added" },
          "Exit": { "Events": ["Order Completed"] },
          "ReEntry": "P7D",
          "Rules": [
            {
              "RuleName": "reminder",
              "Expression": "journey.HoursSinceEntry >= 1 && cart.ItemCount > 0",
              "Actions": { "OnSuccess": { "Name": "Send", "Context": { "Channel": "email", "Template": "cart-recovery/reminder" } } }
            },
            {
              "RuleName": "coupon",
              "Expression": "journey.HoursSinceEntry >= 24 && cart.ItemCount > 0 && !journey.HasDone(\"coupon\")",
              "Actions": { "OnSuccess": { "Name": "Send", "Context": { "Channel": "sms", "Template": "cart-recovery/coupon", "Coupon": "CART10" } } }
            }
          ]
        }
        """;

    private static JourneyReadResult Read(string json, string file = "cart-recovery.json", Func<string, string, bool>? templates = null) =>
        new JourneyFileReader(new JourneyReadOptions(JourneyReadOptions.DefaultChannels, templates)).Read(file, Encoding.UTF8.GetBytes(json));

    private static JourneyProblem SingleProblem(string json) => Read(json).Problems.Should().ContainSingle().Subject;

    [Test]
    public void A_valid_journey_is_read_with_its_keys_and_steps()
    {
        var result = Read(CartRecovery);

        result.Problems.Select(p => p.ToString()).Should().BeEmpty();
        var journey = result.Journey!;
        journey.Name.Should().Be("cart-recovery");
        journey.Trigger.Should().BeEquivalentTo(new EventTrigger(["Product Added"], null));
        journey.Exit.Events.Should().Equal("Order Completed");
        journey.ReEntryAfter.Should().Be(TimeSpan.FromDays(7));
        journey.MaxAge.Should().Be(TimeSpan.FromDays(90));
        journey.Steps.Select(s => (s.Name, s.Action.Name, s.Line)).Should().Equal(("reminder", "Send", 9), ("coupon", "Send", 14));
        journey.Steps[1].Action.Should().BeOfType<SendAction>().Which.Coupon.Should().Be("CART10");
        journey.Workflow.Rules.Should().HaveCount(2);
    }

    [Test]
    public void Malformed_json_names_the_line()
    {
        var problem = SingleProblem(CartRecovery.Replace("\"ReEntry\": \"P7D\",", "\"ReEntry\": \"P7D\""));
        problem.Line.Should().Be(8);
        problem.Reason.Should().StartWith("malformed JSON");
        problem.ToString().Should().StartWith("cart-recovery.json:8: malformed JSON");
    }

    [Test]
    public void An_unknown_field_is_named_with_its_line_and_rule()
    {
        var problems = Read(CartRecovery.Replace("\"Expression\": \"journey.HoursSinceEntry >= 1", "\"Expresion\": \"journey.HoursSinceEntry >= 1")).Problems;
        problems.Select(p => p.ToString()).Should().BeEquivalentTo(
            "cart-recovery.json:11 reminder: Rules[0].Expresion: unknown field; expected one of RuleName, Expression, RuleExpressionType, LocalParams, Actions, Properties, Enabled, ErrorMessage, SuccessEvent (names are case-sensitive)",
            "cart-recovery.json:9 reminder: Rules[0].Expression: is required");
    }

    [Test]
    public void An_expression_that_does_not_compile_is_reported_at_its_line()
    {
        var problem = SingleProblem(CartRecovery.Replace("cart.ItemCount > 0 && !journey", "cart.Items > 0 && !journey"));
        problem.ToString().Should().Be("cart-recovery.json:16 coupon: Rules[1].Expression: does not compile: No property or field 'Items' exists in type 'CartFacts'");
    }

    [Test]
    public void An_unknown_action_is_rejected()
    {
        var problem = SingleProblem(CartRecovery.Replace("\"Name\": \"Send\", \"Context\": { \"Channel\": \"email\"", "\"Name\": \"Email\", \"Context\": { \"Channel\": \"email\""));
        problem.Rule.Should().Be("reminder");
        problem.Reason.Should().Contain("'Email' is not an action");
    }

    [Test]
    public void Award_points_times_a_perk_takes_only_a_number_perk_of_the_tiers_file()
    {
        const string award = "\"Name\": \"AwardPoints\", \"Context\": { \"Points\": 200, \"TimesPerk\": \"{0}\" }";
        var reminder = "\"Name\": \"Send\", \"Context\": { \"Channel\": \"email\", \"Template\": \"cart-recovery/reminder\" }";
        Read(CartRecovery.Replace(reminder, award.Replace("{0}", "birthday_points_multiplier"))).Journey!.Steps[0].Action
            .Should().Be(new AwardPointsAction(200, "birthday_points_multiplier"));
        var problem = SingleProblem(CartRecovery.Replace(reminder, award.Replace("{0}", "free_shipping")));
        problem.ToString().Should().Be("cart-recovery.json:12 reminder: Rules[0].Actions.OnSuccess.Context.TimesPerk: must name a number perk of rules/tiers.json: "
            + "one of discount_percent, early_access_hours, birthday_points_multiplier");
    }

    [Test]
    public void An_unknown_channel_is_rejected()
    {
        var problem = SingleProblem(CartRecovery.Replace("\"Channel\": \"sms\"", "\"Channel\": \"fax\""));
        problem.Reason.Should().Contain("'fax' is not a channel");
    }

    [Test]
    public void A_missing_template_is_rejected_when_templates_are_checked()
    {
        var result = Read(CartRecovery, templates: (template, channel) => template == "cart-recovery/reminder" && channel == "email");
        result.Problems.Should().ContainSingle().Which.Reason.Should().Contain("no template 'templates/cart-recovery/coupon.sms.liquid'");
    }

    [TestCase("System.IO.File.Exists(\\\"/etc/passwd\\\")", "Unknown identifier 'System'")]
    [TestCase("customer.GetType().Assembly.Location != null", "'Object.GetType()' is not allowed")]
    [TestCase("customer.Name.GetType().Name == \\\"String\\\"", "'Object.GetType()' is not allowed")]
    [TestCase("DateTime.Now.Hour > 9", "'DateTime.Now' is not allowed")]
    [TestCase("typeof(string) != null", "Unknown identifier 'typeof'")]
    // Dynamic LINQ resolves members ignoring case; the allow-list checks what it resolved.
    [TestCase("customer.Name.gettype().assembly.location != \\\"\\\"", "'Object.GetType()' is not allowed")]
    [TestCase("customer.Name.GETTYPE().Name != null", "'Object.GetType()' is not allowed")]
    [TestCase("system.io.file.Exists(\\\"/etc/passwd\\\")", "Unknown identifier 'system'")]
    [TestCase("datetime.Now.Hour > 9", "Unknown identifier 'datetime'")]
    // Valid before the allow-list: each froze ingestion or failed the customer's events with 500.
    [TestCase("Enumerable.Range(0, int.MaxValue).Select(i => Enumerable.Range(0, int.MaxValue).Count()).Count() > 0", "'Enumerable.Range()' is not allowed")]
    [TestCase("customer.Name.PadLeft(int.MaxValue) != \\\"\\\"", "'String.PadLeft()' is not allowed")]
    public void Escapes_from_the_sandbox_are_rejected_at_validation(string expression, string reason)
    {
        var problem = SingleProblem(CartRecovery.Replace("journey.HoursSinceEntry >= 1 && cart.ItemCount > 0", expression));
        problem.Rule.Should().Be("reminder");
        problem.Reason.Should().Contain(reason);
    }

    [Test]
    public void A_sandbox_escape_in_a_param_is_reported_at_the_param()
    {
        var problem = SingleProblem(CartRecovery.Replace("\"Rules\": [", "\"GlobalParams\": [ { \"Name\": \"t\", \"Expression\": \"customer.gettype().Name\" } ],\n  \"Rules\": ["));
        problem.Reason.Should().StartWith("GlobalParams: param 't': 'Object.GetType()' is not allowed");
    }

    [Test]
    public void Forbidden_words_inside_string_literals_are_fine()
    {
        Read(CartRecovery.Replace("cart.ItemCount > 0 && !journey", "customer.HasTag(\\\"System\\\") && !journey")).Problems.Should().BeEmpty();
    }

    [Test]
    public void The_workflow_name_must_match_the_file()
    {
        Read(CartRecovery, file: "rules/abandoned.json").Problems.Should().ContainSingle()
            .Which.Reason.Should().Be("WorkflowName: 'cart-recovery' must match the file name 'abandoned'");
    }

    [Test]
    public void Every_problem_in_a_file_is_reported_at_once()
    {
        var broken = CartRecovery
            .Replace("\"ReEntry\": \"P7D\"", "\"ReEntry\": \"one week\"")
            .Replace("\"Trigger\": { \"Event\": \"Product Added\" }", "\"Trigger\": { \"Event\": \"Product Added\", \"Scan\": \"PT1H\" }")
            .Replace("\"RuleName\": \"coupon\"", "\"RuleName\": \"reminder\"");
        Read(broken).Problems.Select(p => p.Reason).Should().BeEquivalentTo(
            "Trigger: must hold exactly one of Event, Schedule or Scan",
            "ReEntry: 'one week' is not a positive ISO 8601 duration such as P7D or PT1H",
            "Rules[1].RuleName: is used by another rule of this journey");
    }

    [Test]
    public void Nested_rules_are_refused_with_the_alternative()
    {
        var problem = Read(CartRecovery.Replace("\"RuleName\": \"coupon\",", "\"RuleName\": \"coupon\", \"Operator\": \"andAlso\",")).Problems;
        problem.Should().Contain(p => p.Reason.Contains("nested rules (Rules, Operator) are not supported"));
    }

    [Test]
    public void Schedule_and_scan_triggers_take_an_audience()
    {
        var memberDay = CartRecovery
            .Replace("\"Trigger\": { \"Event\": \"Product Added\" }", "\"Trigger\": { \"Schedule\": \"0 0 10 18 * ?\", \"Audience\": \"customer.Tier != \\\"\\\"\" }");
        Read(memberDay).Journey!.Trigger.Should().BeEquivalentTo(new ScheduleTrigger("0 0 10 18 * ?", "customer.Tier != \"\""));

        var badAudience = CartRecovery.Replace("\"Trigger\": { \"Event\": \"Product Added\" }", "\"Trigger\": { \"Scan\": \"PT1H\", \"Audience\": \"stats.Nope > 1\" }");
        Read(badAudience).Problems.Should().ContainSingle().Which.Reason.Should().Contain("Trigger.Audience: does not compile");
    }
}
