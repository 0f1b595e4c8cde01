using System.Globalization;
using Automation.Core.Ingestion;
using Automation.Server.Apis;

namespace Automation.Server.MarketerConsole.Pages;

/// <summary>The new-broadcast form's fields, as typed: turned into the body <c>POST /v1/broadcasts</c> reads.</summary>
public sealed class BroadcastForm
{
    /// <summary>A/B rows the form offers; a row without a name is not a variant.</summary>
    public const int VariantRows = 3;

    public string? Name { get; set; }
    public string? Segment { get; set; }
    public string? Channel { get; set; } = "email";
    public string? Template { get; set; }
    public string? SendAt { get; set; }
    public string? LocalTime { get; set; }
    public string? Presale { get; set; }

    /// <summary>Made when the form is opened and sent with it: a double click or a resent form finds the broadcast the first one made.</summary>
    public string? IdempotencyKey { get; set; }
    public string? HoldoutPercent { get; set; } = "0";
    public List<BroadcastVariantRow> Variants { get; set; } = [];

    /// <summary>The API's request for these fields (named variant rows moved first), and what cannot even be read (a holdout that is no number) as field errors.</summary>
    internal (BroadcastRequest Request, IReadOnlyList<FieldError> Errors) ToRequest()
    {
        var errors = new List<FieldError>();
        int? holdout = null;
        if (!string.IsNullOrWhiteSpace(HoldoutPercent))
        {
            if (int.TryParse(HoldoutPercent, NumberStyles.Integer, CultureInfo.InvariantCulture, out var percent)) holdout = percent;
            else errors.Add(new("holdoutPercent", $"'{HoldoutPercent}' is not a whole number of percent"));
        }
        // Named rows first, so that the API's variants[i] is the form's row i.
        Variants = [.. Variants.Where(r => !string.IsNullOrWhiteSpace(r.Name))];
        var variants = new List<BroadcastVariantRequest>();
        for (var i = 0; i < Variants.Count; i++)
        {
            var row = Variants[i];
            double? weight = null;
            if (!string.IsNullOrWhiteSpace(row.Weight))
            {
                if (double.TryParse(row.Weight, NumberStyles.Float, CultureInfo.InvariantCulture, out var w)) weight = w;
                else errors.Add(new($"variants[{i}].weight", $"'{row.Weight}' is not a number"));
            }
            variants.Add(new BroadcastVariantRequest(row.Name!.Trim(), Blank(row.Template), weight));
        }
        var request = new BroadcastRequest(Blank(Name), Blank(Segment), Blank(Channel), Blank(Template), Blank(SendAt), Blank(LocalTime), Blank(Presale), holdout,
            variants.Count > 0 ? variants : null);
        return (request, errors);
    }

    /// <summary>Fills the rows the form shows, keeping those typed.</summary>
    public void PadVariants()
    {
        while (Variants.Count < VariantRows) Variants.Add(new BroadcastVariantRow());
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}

/// <summary>One A/B row of <see cref="BroadcastForm"/>: a name, its template (the broadcast's when empty) and a weight.</summary>
public sealed class BroadcastVariantRow
{
    public string? Name { get; set; }
    public string? Template { get; set; }
    public string? Weight { get; set; }
}
