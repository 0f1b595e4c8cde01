using System.Net.Http.Json;

namespace Automation.Tests.Faults;

/// <summary>
/// A journey for fault tests: every customer who sends <c>Drill Started</c> gets one message at once, rendered from a
/// template that names its version, so a test can tell which version of the files a message was made with.
/// </summary>
internal static class FaultDrill
{
    public const string Journey = "fault-drill";
    public const string Event = "Drill Started";

    public static string JourneyFile(string contentRoot) => Path.Combine(contentRoot, "rules", $"{Journey}.json");

    public static string TemplateFile(string contentRoot, string channel) => Path.Combine(contentRoot, "templates", Journey, $"notice.{channel}.liquid");

    /// <summary>The text the good template renders for a customer with this first name.</summary>
    public static string GoodText(string firstName) => $"Drill notice v1 for {firstName}. Reply STOP to opt out.";

    public static void Write(string contentRoot, string channel)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(JourneyFile(contentRoot))!);
        File.WriteAllText(JourneyFile(contentRoot), $$"""
            {
              "WorkflowName": "{{Journey}}",
              "Description": "One message at once for every drill participant",
              "Trigger": { "Event": "{{Event}}" },
              "ReEntry": "Never",
              "Rules": [
                {
                  "RuleName": "notice",
                  "Expression": "journey.HoursSinceEntry >= 0",
                  "Actions": { "OnSuccess": { "Name": "Send", "Context": { "Channel": "{{channel}}", "Template": "{{Journey}}/notice" } } }
                }
              ]
            }
            """);
        Directory.CreateDirectory(Path.GetDirectoryName(TemplateFile(contentRoot, channel))!);
        File.WriteAllText(TemplateFile(contentRoot, channel), "Drill notice v1 for {{ customer.first_name }}. Reply STOP to opt out.\n");
    }

    /// <summary>One customer's identify and drill event in one batch request.</summary>
    public static Task<HttpResponseMessage> EnterAsync(HttpClient client, string userId, string firstName, string phone) =>
        client.PostAsJsonAsync("/v1/batch", new
        {
            batch = new object[]
            {
                new { type = "identify", userId, messageId = $"{userId}-identify", traits = new { phone, firstName, name = $"{firstName} Drill" } },
                new { type = "track", userId, messageId = $"{userId}-drill", @event = Event, properties = new { } },
            },
        });
}
