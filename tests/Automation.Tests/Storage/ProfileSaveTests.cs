using System.Text.Json.Nodes;
using Automation.Core.Customers;
using Automation.Core.Storage;
using Automation.Storage;
using Automation.Tests.Support;

namespace Automation.Tests.Storage;

/// <summary>
/// Profiles are saved a chunk of rows per statement, as a <c>VALUES</c> list joined in an UPDATE: a chunk whose every
/// row leaves a column empty must still save (PostgreSQL types a column of untyped nulls as text), and each row its own.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class ProfileSaveTests(string provider)
{
    private static readonly DateTimeOffset Now = new(2026, 9, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly CancellationToken None = CancellationToken.None;

    [Test]
    public async Task A_chunk_of_profiles_with_every_optional_field_empty_saves_each_row_its_own()
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var count = 30; // more than one statement's rows on either database
        List<CustomerProfile> saved;
        await using (var tx = await db.Storage.BeginAsync(None))
        {
            var keys = await tx.CreateCustomersAsync([.. Enumerable.Range(0, count).Select(i => new NewCustomer($"c{i}", null))], Now, None);
            saved = [.. keys.Select(k => new CustomerProfile
            {
                Id = k.Id, ExternalId = k.ExternalId, Locale = k.ExternalId == "c7" ? "zh-CN" : null,
                Traits = new JsonObject { ["plan"] = k.ExternalId }, TraitsUpdatedAt = null, CreatedAt = Now, UpdatedAt = Now.AddMinutes(1),
            })];
            await tx.SaveProfilesAsync(saved, None);
            await tx.CommitAsync(None);
        }

        await using var read = await db.Storage.BeginAsync(None);
        var profiles = (await read.LoadProfilesAsync([.. saved.Select(p => p.Id)], None)).ToDictionary(p => p.ExternalId!);
        profiles.Should().HaveCount(count);
        profiles.Values.Should().OnlyContain(p => p.Email == null && p.Phone == null && p.Birthday == null && p.TraitsUpdatedAt == null && p.UpdatedAt == Now.AddMinutes(1));
        profiles["c7"].Locale.Should().Be("zh-CN");
        profiles["c8"].Locale.Should().BeNull();
        profiles["c12"].Traits["plan"]!.GetValue<string>().Should().Be("c12", "each row's own traits, not another's");
    }
}
