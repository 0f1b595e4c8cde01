using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Automation.Core.Journeys;

namespace Automation.Core.Coupons;

/// <summary>
/// Reads a campaign file of rules/coupons/ (see rules/coupons.schema.json): <c>Name</c> (the file's name),
/// <c>Value</c> (<c>{ "AmountOff": 20, "Currency": "CNY" }</c> or <c>{ "PercentOff": 15 }</c>), <c>MinimumSpend</c>,
/// <c>Validity</c> (<c>From</c>, <c>Until</c>, <c>DaysFromIssue</c>), <c>PerCustomer</c>, <c>Budget</c>,
/// <c>Eligible</c> (an expression over the journey facts) and <c>Codes</c> (<c>{ "Generate": { … } }</c> or
/// <c>{ "Import": true }</c>). Problems come as <c>file:line: field: reason</c>.
/// </summary>
public static partial class CouponFileReader
{
    private static readonly string[] TopLevelFields = ["$schema", "Name", "Description", "Value", "MinimumSpend", "Validity", "PerCustomer", "Budget", "Eligible", "Codes"];
    private static readonly string[] ValueFields = ["AmountOff", "PercentOff", "Currency"];
    private static readonly string[] ValidityFields = ["From", "Until", "DaysFromIssue"];
    private static readonly string[] CodesFields = ["Generate", "Import"];
    private static readonly string[] GenerateFields = ["Length", "Prefix", "Alphabet"];

    public static (CouponCampaign? Campaign, IReadOnlyList<JourneyProblem> Problems) Read(string file, byte[] utf8, RuleLimits limits)
    {
        if (JourneyFileReader.ParseObject(file, utf8, "the campaign file", out var top) is { } unreadable) return (null, [unreadable]);
        var check = new JourneyFileReader.Checker(file, JsonLineIndex.Build(utf8));
        check.UnknownFields(top, "", TopLevelFields);

        var name = check.RequiredText(top, "Name", "");
        if (name is not null && !CampaignName().IsMatch(name)) check.Add("Name", null, "a campaign name is lower-case words joined by '-', such as member-day");
        else if (name is not null && name != Path.GetFileNameWithoutExtension(file)) check.Add("Name", null, $"must be the file's name, '{Path.GetFileNameWithoutExtension(file)}'");
        var description = check.OptionalText(top, "Description", "");
        var value = ReadValue(top, check);
        var minimumSpend = check.Number(top, "MinimumSpend", "", null, min: 0);
        var validity = ReadValidity(top, check);
        var perCustomer = check.Number(top, "PerCustomer", "", null, min: 1, whole: true) is { } p ? (int?)p : null;
        var budget = check.Number(top, "Budget", "", null, min: 1, whole: true) is { } b ? (int?)b : null;
        var codes = ReadCodes(top, check);
        if (value is { Kind: CouponValueKind.AmountOff } && minimumSpend is { } spend && spend > 0 && value.Amount > spend)
            check.Add("Value.AmountOff", null, $"{value.Amount} off is more than the minimum spend of {spend}");

        CompiledRule? eligible = null;
        if (check.OptionalText(top, "Eligible", "") is { } expression && check.Problems.Count == 0)
        {
            var compiled = RuleCompilation.CheckProbes([], [new RuleProbe("eligible", expression, [], "Eligible", null)], check, limits);
            eligible = compiled?[0];
        }
        if (check.Problems.Count > 0 || name is null || value is null || codes is null) return (null, check.Problems);
        return (new CouponCampaign(name, description, value, minimumSpend, validity, perCustomer, budget, eligible, codes.Value.Generated, file), []);
    }

    private static CouponValue? ReadValue(JsonObject top, JourneyFileReader.Checker check)
    {
        if (top["Value"] is not JsonObject value)
        {
            check.Add("Value", null, "is required: { \"AmountOff\": 20, \"Currency\": \"CNY\" } or { \"PercentOff\": 15 }");
            return null;
        }
        check.UnknownFields(value, "Value", ValueFields);
        var amountOff = check.Number(value, "AmountOff", "Value", null, min: 0.01m);
        var percentOff = check.Number(value, "PercentOff", "Value", null, min: 0.01m, max: 100);
        var currency = check.OptionalText(value, "Currency", "Value");
        if (currency is not null && !CurrencyCode().IsMatch(currency)) check.Add("Value.Currency", null, "must be an ISO 4217 code such as CNY, USD or EUR");
        switch (amountOff, percentOff)
        {
            case ({ } amount, null) when currency is not null:
                return new CouponValue(CouponValueKind.AmountOff, amount, currency);
            case ({ }, null):
                check.Add("Value.Currency", null, "is required with AmountOff");
                return null;
            case (null, { } percent) when currency is null:
                return new CouponValue(CouponValueKind.PercentOff, percent, null);
            case (null, { }):
                check.Add("Value.Currency", null, "goes with AmountOff only: a percentage has no currency");
                return null;
            default:
                if (value["AmountOff"] is null && value["PercentOff"] is null || value["AmountOff"] is not null && value["PercentOff"] is not null)
                    check.Add("Value", null, "needs exactly one of AmountOff and PercentOff");
                return null;
        }
    }

    private static CouponValidity ReadValidity(JsonObject top, JourneyFileReader.Checker check)
    {
        if (top["Validity"] is null) return new CouponValidity(null, null, null);
        if (top["Validity"] is not JsonObject validity)
        {
            check.Add("Validity", null, "must be an object such as { \"DaysFromIssue\": 7 } or { \"From\": \"2026-11-11\", \"Until\": \"2026-11-12\" }");
            return new CouponValidity(null, null, null);
        }
        check.UnknownFields(validity, "Validity", ValidityFields);
        var from = Time(validity, "From", check);
        var until = Time(validity, "Until", check);
        var days = check.Number(validity, "DaysFromIssue", "Validity", null, min: 1, max: 3650, whole: true) is { } d ? (int?)d : null;
        if (from is not null && until is not null && until <= from) check.Add("Validity.Until", null, "must be after From");
        return new CouponValidity(from, until, days);
    }

    private static DateTimeOffset? Time(JsonObject validity, string field, JourneyFileReader.Checker check)
    {
        if (check.OptionalText(validity, field, "Validity") is not { } text) return null;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)) return at;
        check.Add($"Validity.{field}", null, $"'{text}' is not a date or time such as 2026-11-11 or 2026-11-11T00:00:00+08:00");
        return null;
    }

    private static (CouponCodeFormat? Generated, bool Imported)? ReadCodes(JsonObject top, JourneyFileReader.Checker check)
    {
        const string Shape = "must be { \"Generate\": { \"Length\": 10, \"Prefix\": \"MD-\" } } or { \"Import\": true }";
        if (top["Codes"] is null) return (new CouponCodeFormat(CouponCodeFormat.DefaultAlphabet, CouponCodeFormat.DefaultLength, ""), false);
        if (top["Codes"] is not JsonObject codes)
        {
            check.Add("Codes", null, Shape);
            return null;
        }
        check.UnknownFields(codes, "Codes", CodesFields);
        if (codes["Import"] is not null)
        {
            if (check.OptionalBool(codes, "Import", "Codes") is true && codes["Generate"] is null) return (null, true);
            check.Add("Codes", null, Shape);
            return null;
        }
        if (codes["Generate"] is not JsonObject generate)
        {
            check.Add("Codes.Generate", null, Shape);
            return null;
        }
        check.UnknownFields(generate, "Codes.Generate", GenerateFields);
        var length = check.Number(generate, "Length", "Codes.Generate", null, min: 4, max: 32, whole: true) is { } l ? (int)l : CouponCodeFormat.DefaultLength;
        var prefix = check.OptionalText(generate, "Prefix", "Codes.Generate") ?? "";
        if (prefix.Length > 16 || !prefix.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')) check.Add("Codes.Generate.Prefix", null, "must be at most 16 letters, digits and '-'");
        var alphabet = check.OptionalText(generate, "Alphabet", "Codes.Generate") ?? CouponCodeFormat.DefaultAlphabet;
        if (alphabet.Length < 10 || alphabet.Distinct().Count() != alphabet.Length || !alphabet.All(char.IsAsciiLetterOrDigit))
            check.Add("Codes.Generate.Alphabet", null, "must be at least 10 different letters and digits");
        else if (alphabet.FirstOrDefault(c => CouponCodes.Ambiguous.Contains(char.ToUpperInvariant(c))) is var ambiguous && ambiguous != default)
            check.Add("Codes.Generate.Alphabet", null, $"'{ambiguous}' is read as another character ({CouponCodes.Ambiguous}): leave it out");
        var format = new CouponCodeFormat(alphabet, length, prefix);
        if (check.Problems.Count == 0 && CouponCodes.Bits(format) < CouponCodes.MinimumBits)
            check.Add("Codes.Generate.Length", null, $"{length} characters of {alphabet.Length} give {CouponCodes.Bits(format):0} bits; codes need {CouponCodes.MinimumBits} so they cannot be found by trying: make them longer");
        return (format, false);
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex CampaignName();

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyCode();
}
