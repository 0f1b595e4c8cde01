using System.Reflection;
using Automation.Core.Journeys;
using Automation.Core.Storage;
using Automation.Storage;
using Automation.Tests.Support;
using Dapper;

namespace Automation.Tests.Storage;

/// <summary>
/// The scheduler screens only the active instances storage selects by their journeys' bounds (max age, exit, steps not
/// taken), so that selection must never leave out an instance with something to do. Random instances of every shipped
/// journey — entered minutes before or after each step's wait and its max age, some steps taken, some of another or no recorded
/// version — of customers with random orders are screened at several moments and compared with screening every
/// active instance.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class WorkCandidatesTests(string provider)
{
    private static readonly DateTimeOffset Base = new(2026, 3, 10, 10, 5, 0, TimeSpan.Zero);
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>The shipped steps' waits in the journey (0, 1 and 24 hours; 3 and 7 days), entered a little before or after which an instance is seeded.</summary>
    private static readonly TimeSpan[] Waits = [TimeSpan.Zero, TimeSpan.FromHours(1), TimeSpan.FromHours(24), TimeSpan.FromDays(3), TimeSpan.FromDays(7)];

    private static readonly double[] MinutesOff = [-30, -5, -2, -0.5, 0.5, 2, 5, 30];

    [Test]
    public async Task No_instance_with_work_is_left_out()
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var catalog = TestIngestion.ShippedJourneys();
        var journeys = catalog.Current.Running.Select(j => catalog.Current.Compiled(j.Name)).ToList();
        var ids = await SeedAsync(db.Storage, journeys, new Random(20261205), 300);
        var engine = TestIngestion.Engine(catalog);
        var everyone = EveryInstance(db.Storage);

        var withWork = 0;
        foreach (var now in new[] { Base, Base.AddMinutes(61), Base.AddHours(23), Base.AddDays(1).AddMinutes(3), Base.AddDays(4), Base.AddDays(30) })
        {
            var screened = new List<long>();
            var exact = new List<long>();
            // Pages of uneven size, as the scheduler's are.
            foreach (var page in ids.Chunk(61))
            {
                screened.AddRange(await engine.ScreenActiveAsync(db.Storage, page, now, None));
                exact.AddRange(await engine.ScreenActiveAsync(everyone, page, now, None));
            }
            var bounded = await db.Storage.WorkCandidatesAsync([.. journeys.Select(j => WorkSelection.Of(j, now))], ids[0], ids[^1], None);

            screened.Should().BeEquivalentTo(exact, $"at {now:O} the bounds leave out no instance with work");
            bounded.Should().Contain(exact, $"at {now:O}");
            withWork += exact.Count;
        }
        withWork.Should().BeGreaterThan(200, "the random instances must give steps, exits and max ages to find");
    }

    [Test]
    public async Task Instances_waiting_for_a_step_are_not_selected()
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var catalog = TestIngestion.ShippedJourneys();
        var winBack = catalog.Current.Compiled("win-back");
        var cart = catalog.Current.Compiled("cart-recovery");
        await using var connection = await db.Storage.OpenConnectionAsync(None);
        async Task<long> Customer(double daysSinceOrder, CompiledJourney journey, double hoursIn, params string[] taken)
        {
            var id = await connection.ExecuteScalarAsync<long>(
                "INSERT INTO customers (external_id, traits, created_at, updated_at) VALUES (@external, '{}', @at, @at) RETURNING id", new { external = Guid.NewGuid().ToString(), at = Base.AddDays(-400) });
            await connection.ExecuteAsync(
                "INSERT INTO customer_stats (customer_id, order_count, total_spent, first_order_at, last_order_at, coupon_order_count) VALUES (@id, 1, 30, @last, @last, 0)",
                new { id, last = Base.AddDays(-daysSinceOrder) });
            var instance = await connection.ExecuteScalarAsync<long>(
                "INSERT INTO journey_instances (customer_id, journey, entry_key, status, entered_at, journey_hash) VALUES (@id, @journey, 'k', 'active', @entered, @hash) RETURNING id",
                new { id, journey = journey.Definition.Name, entered = Base.AddHours(-hoursIn), hash = journey.Definition.Hash });
            foreach (var step in taken)
                await connection.ExecuteAsync("INSERT INTO journey_steps (instance_id, step, action, fired_at) VALUES (@instance, @step, 'send', @at)", new { instance, step, at = Base.AddHours(-hoursIn) });
            return id;
        }

        // Win-back's second step waits for 90 days without an order; cart recovery's for 24 hours in the journey.
        var waiting = new[]
        {
            await Customer(70, winBack, 240, "miss-you"), await Customer(88.5, winBack, 24 * 28, "miss-you"),
            await Customer(1, cart, 2, "reminder"), await Customer(1, cart, 22.9, "reminder"), await Customer(1, cart, 0.9),
        };
        var due = new[]
        {
            await Customer(91, winBack, 240, "miss-you"), await Customer(70, winBack, 24 * 61, "miss-you"), await Customer(70, winBack, 1),
            await Customer(1, cart, 24.1, "reminder"), await Customer(1, cart, 73, "reminder", "coupon"), await Customer(1, cart, 1.5),
        };

        var selected = await db.Storage.WorkCandidatesAsync([WorkSelection.Of(winBack, Base), WorkSelection.Of(cart, Base)], waiting.Min(), due.Max(), None);

        selected.Should().BeEquivalentTo(due, "a step whose wait has not passed, with the steps before it taken, leaves its instance unread");
    }

    /// <summary>The store itself, except that every customer with an active instance is a candidate: screening everything.</summary>
    private static IJourneyStore EveryInstance(IJourneyStore store)
    {
        var proxy = DispatchProxy.Create<IJourneyStore, EveryInstanceProxy>();
        ((EveryInstanceProxy)(object)proxy).Store = store;
        return proxy;
    }

    public class EveryInstanceProxy : DispatchProxy
    {
        public IJourneyStore Store { get; set; } = null!;

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod!.Name != nameof(IJourneyStore.WorkCandidatesAsync)) return targetMethod.Invoke(Store, args);
            var (first, last) = ((long)args![1]!, (long)args[2]!);
            return Active();

            async Task<IReadOnlyList<long>> Active() =>
                [.. (await Store.CustomersWithActiveInstancesAsync(first - 1, int.MaxValue, None)).Where(id => id <= last)];
        }
    }

    /// <summary>Random customers with orders around <see cref="Base"/> and active instances; returns their ids in order.</summary>
    private static async Task<List<long>> SeedAsync(AutomationStorage storage, List<CompiledJourney> journeys, Random random, int count)
    {
        await using var connection = await storage.OpenConnectionAsync(None);
        await using var transaction = await connection.BeginTransactionAsync();
        T Pick<T>(params T[] items) => items[random.Next(items.Length)];
        for (var i = 0; i < count; i++)
        {
            // Literal JSON: a parameter would be text, which PostgreSQL does not turn into jsonb by itself.
            var traits = random.Next(2) == 0 ? "'{}'" : "'{\"emailConsent\": true, \"smsConsent\": true}'";
            var id = await connection.ExecuteScalarAsync<long>(
                $"INSERT INTO customers (external_id, email, phone, traits, created_at, updated_at) VALUES (@external, @email, @phone, {traits}, @at, @at) RETURNING id",
                new { external = $"w{i:D4}", email = random.Next(4) == 0 ? null : $"w{i}@example.com", phone = random.Next(2) == 0 ? null : $"+8613800{i:D6}", at = Base.AddDays(-400) },
                transaction);
            if (random.Next(10) < 7)
            {
                var orders = random.Next(5);
                await connection.ExecuteAsync(
                    "INSERT INTO customer_stats (customer_id, order_count, total_spent, first_order_at, last_order_at, coupon_order_count) VALUES (@id, @orders, @spent, @first, @last, 0)",
                    new { id, orders, spent = orders * 30m, first = orders > 0 ? Base.AddDays(-380) : (DateTimeOffset?)null,
                        last = orders > 0 ? Base.AddDays(-Pick(0.5, 59, 88.5, 89.01, 89.99, 90.01, 95, 120)) : (DateTimeOffset?)null }, transaction);
            }
            if (random.Next(2) == 0)
                await connection.ExecuteAsync("INSERT INTO carts (customer_id, items, item_count, value, currency, updated_at) VALUES (@id, '[]', @count, 10, 'CNY', @at)",
                    new { id, count = random.Next(3), at = Base.AddHours(-random.Next(1, 48)) }, transaction);
            // One journey a customer at most: a customer is read when any of their instances may have work, which would hide another left out.
            if (random.Next(5) > 0)
            {
                var journey = Pick([.. journeys]);
                var definition = journey.Definition;
                var instance = await connection.ExecuteScalarAsync<long>(
                    "INSERT INTO journey_instances (customer_id, journey, entry_key, status, entered_at, journey_hash) VALUES (@id, @journey, 'seed', 'active', @entered, @hash) RETURNING id",
                    new { id, journey = definition.Name, entered = Base - Pick([.. Waits.Where(w => w < definition.MaxAge), definition.MaxAge]) - TimeSpan.FromMinutes(Pick(MinutesOff)),
                        hash = random.Next(10) switch { 0 => null, 1 => "an-earlier-version", _ => definition.Hash } }, transaction);
                // The steps taken so far: mostly the first ones, whose waits end first; rarely all (the instance completes then).
                var taken = random.Next(5) == 0 ? journey.Steps.Where(_ => random.Next(2) == 0) : journey.Steps.Take(random.Next(1, Math.Max(2, journey.Steps.Count)));
                foreach (var (step, _) in taken)
                    await connection.ExecuteAsync("INSERT INTO journey_steps (instance_id, step, action, fired_at) VALUES (@instance, @step, 'send', @at)",
                        new { instance, step = step.Name, at = Base.AddDays(-1) }, transaction);
            }
        }
        await transaction.CommitAsync();
        return [.. await connection.QueryAsync<long>("SELECT id FROM customers ORDER BY id")];
    }
}
