using System.Text.Json.Nodes;
using Automation.Core.Customers;
using Automation.Core.Journeys;
using Automation.Core.Storage;
using Automation.Server.Tools;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Automation.Server.MarketerConsole.Pages;

/// <summary>Renders a journey's send step for a stored customer or sample data, every variant; template errors at file:line.</summary>
[ConsoleRole(ConsoleRole.Editor)]
internal sealed class PreviewModel(JourneyCatalog catalog, ICustomerStore customers, StepPreviewer previewer, TimeProvider clock) : PageModel
{
    /// <summary>What the sample data starts as: an identify body with a cart, as <c>automation render</c> reads it.</summary>
    public const string DefaultSample = """
        {
          "userId": "sample-1",
          "traits": { "email": "ann@example.com", "phone": "+14155550123", "name": "Ann Lee", "timezone": "America/Los_Angeles" },
          "cart": [ { "product_id": "tea-100g", "name": "Green tea", "price": 21.25, "quantity": 2 } ],
          "currency": "USD"
        }
        """;

    public IReadOnlyList<(string Journey, IReadOnlyList<string> Steps)> SendSteps { get; private set; } = [];
    public string? Step { get; private set; }
    public string? CustomerId { get; private set; }
    public string Sample { get; private set; } = DefaultSample;
    public string? Error { get; private set; }
    public string? RenderedFor { get; private set; }
    public IReadOnlyList<StepPreview> Previews { get; private set; } = [];

    public void OnGet() => ListSteps();

    public async Task OnPostAsync(string? step, string? customerId, string? sample, CancellationToken ct)
    {
        ListSteps();
        Step = step;
        CustomerId = customerId?.Trim();
        Sample = string.IsNullOrWhiteSpace(sample) ? DefaultSample : sample;
        var parts = step?.Split('|', 2);
        if (parts is not [var journeyName, var stepName] || catalog.Current.Find(journeyName) is not { } journey)
        {
            Error = "Pick a step of a running journey.";
            return;
        }
        CustomerSnapshot customer;
        Automation.Core.Tiers.OrderTotals tierWindow;
        if (!string.IsNullOrEmpty(CustomerId))
        {
            if (await customers.FindAsync(CustomerId, ct) is not { } stored)
            {
                Error = $"No customer has the id '{CustomerId}'.";
                return;
            }
            customer = stored;
            tierWindow = await previewer.TierWindowAsync(customers, stored.Profile.Id, ct);
            RenderedFor = $"customer {CustomerId}";
        }
        else
        {
            try
            {
                customer = SampleCustomer.From(SimulationRunner.ParseJson(Sample, "sample data") as JsonObject
                    ?? throw new FormatException("sample data: must be one JSON object (an identify body: userId, traits, cart)"), clock.GetUtcNow());
            }
            catch (FormatException e)
            {
                Error = e.Message;
                return;
            }
            tierWindow = StepPreviewer.SampleTierWindow(customer);
            RenderedFor = "the sample data";
        }
        Previews = previewer.Preview(journey, customer, tierWindow, stepName);
    }

    private void ListSteps() => SendSteps = [.. catalog.Current.Running.OrderBy(j => j.Name, StringComparer.Ordinal)
        .Select(j => (j.Name, (IReadOnlyList<string>)[.. j.Steps.Where(s => s.Action is SendAction).Select(s => s.Name)]))
        .Where(j => j.Item2.Count > 0)];
}
