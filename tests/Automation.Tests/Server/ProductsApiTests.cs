using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server;

/// <summary>
/// The products API on both databases: PUT and bulk POST set what events do not carry and keep what they do, GET reads
/// one product or a category's page, and a bad body names each field (and item) and writes nothing.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class ProductsApiTests(string provider)
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-03-01T10:00:00Z", CultureInfo.InvariantCulture);

    private TestDatabase _db = null!;
    private AutomationFactory _factory = null!;
    private HttpClient _client = null!;

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync(provider, migrate: false);
        _factory = new AutomationFactory(_db, new FakeTimeProvider(Now));
        _client = _factory.CreateAuthorizedClient();
    }

    [TearDown]
    public async Task TearDown()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        await _db.DisposeAsync();
    }

    private static async Task<JsonNode> Json(HttpResponseMessage response) => JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

    private Task<HttpResponseMessage> Post(string json) => _client.PostAsync("/v1/products", new StringContent(json, Encoding.UTF8, "application/json"));

    private Task<HttpResponseMessage> Put(string id, string json) => _client.PutAsync($"/v1/products/{id}", new StringContent(json, Encoding.UTF8, "application/json"));

    [Test]
    public async Task Put_sets_usage_replenish_and_categories_and_keeps_what_events_said()
    {
        (await _client.PostAsJsonAsync("/v1/track", new { userId = "ann", @event = "Product Viewed", properties = new { product_id = "detergent", name = "Detergent", price = 30, category = "home" } }))
            .EnsureSuccessStatusCode();
        var put = await Put("detergent", """{ "usage_days": 30, "categories": ["cleaning"], "image_url": "https://shop.example/d.jpg" }""");
        put.StatusCode.Should().Be(HttpStatusCode.OK);

        var product = await Json(await _client.GetAsync("/v1/products/detergent"));
        (product["name"]!.GetValue<string>(), product["price"]!.GetValue<decimal>(), product["category"]!.GetValue<string>(), product["usageDays"]!.GetValue<int>(),
            product["replenish"]!.GetValue<bool>(), product["categories"]![0]!.GetValue<string>(), product["imageUrl"]!.GetValue<string>())
            .Should().Be(("Detergent", 30m, "home", 30, true, "cleaning", "https://shop.example/d.jpg"));

        // usage_days null clears the usage; a field left out keeps its value.
        (await Put("detergent", """{ "usage_days": null, "replenish": false }""")).StatusCode.Should().Be(HttpStatusCode.OK);
        product = await Json(await _client.GetAsync("/v1/products/detergent"));
        (product["usageDays"], product["replenish"]!.GetValue<bool>(), product["name"]!.GetValue<string>()).Should().Be((null, false, "Detergent"));

        (await _client.GetAsync("/v1/products/nothing")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Bulk_post_saves_every_product_and_a_category_is_paged_in_id_order()
    {
        var products = Enumerable.Range(1, 5).Select(i => new { product_id = $"bean-{i}", name = $"Bean {i}", category = "coffee", usage_days = 20 + i })
            .Append(new { product_id = "cup", name = "Cup", category = "kitchen", usage_days = 0 + 1 }).ToList();
        var response = await _client.PostAsJsonAsync("/v1/products", new { products });
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await Json(response))["saved"]!.GetValue<int>().Should().Be(6);
        (await Put("cup", """{ "categories": ["coffee"] }""")).StatusCode.Should().Be(HttpStatusCode.OK);

        var first = await Json(await _client.GetAsync("/v1/products?category=coffee&limit=4"));
        first["products"]!.AsArray().Select(p => p!["productId"]!.GetValue<string>()).Should().Equal("bean-1", "bean-2", "bean-3", "bean-4");
        var next = first["next"]!.GetValue<string>();
        var second = await Json(await _client.GetAsync($"/v1/products?category=coffee&limit=4&after={next}"));
        second["products"]!.AsArray().Select(p => p!["productId"]!.GetValue<string>()).Should().Equal("bean-5", "cup");
        second["next"].Should().BeNull();
        (await Json(await _client.GetAsync("/v1/products?category=kitchen")))["products"]!.AsArray().Should().ContainSingle();
    }

    [TestCase("""{ "products": [ { "product_id": "a", "usage_days": 30 }, { "product_id": "b", "usage_days": 0 } ] }""", "products[1].usage_days")]
    [TestCase("""{ "products": [ { "product_id": "a" }, { "name": "no id" } ] }""", "products[1].product_id")]
    [TestCase("""{ "products": [ { "product_id": "a" }, { "product_id": "a" } ] }""", "products[1].product_id")]
    [TestCase("""{ "products": [ { "product_id": "a", "replenish": "yes" } ] }""", "products[0].replenish")]
    [TestCase("""{ "products": [ { "product_id": "a", "url": "javascript:alert(1)" } ] }""", "products[0].url")]
    [TestCase("""{ "products": [ { "product_id": "a", "categories": ["ok", 3] } ] }""", "products[0].categories[1]")]
    [TestCase("""{ "products": [ { "product_id": "a", "price": -1 } ] }""", "products[0].price")]
    [TestCase("""{ "products": [] }""", "products")]
    [TestCase("""{ "items": [] }""", "products")]
    [TestCase("""not json""", "body")]
    public async Task A_bad_bulk_body_names_the_field_and_item_and_writes_nothing(string body, string field)
    {
        var response = await Post(body);
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await Json(response))["errors"]!.AsArray().Select(e => e!["field"]!.GetValue<string>()).Should().Contain(field);
        (await _client.GetAsync("/v1/products/a")).StatusCode.Should().Be(HttpStatusCode.NotFound, "nothing of a refused request is written");
    }

    [Test]
    public async Task A_bulk_of_more_than_1000_products_and_a_bad_put_are_refused()
    {
        var many = new { products = Enumerable.Range(0, 1001).Select(i => new { product_id = $"p{i}" }) };
        var response = await _client.PostAsJsonAsync("/v1/products", many);
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await Json(response))["detail"]!.GetValue<string>().Should().Contain("1 to 1000 products");

        var put = await Put("x", """{ "product_id": "y", "usage_days": 5000 }""");
        put.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await Json(put))["errors"]!.AsArray().Select(e => e!["field"]!.GetValue<string>()).Should().BeEquivalentTo("product_id", "usage_days");
        (await _client.GetAsync("/v1/products/x")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task A_customers_reminders_are_listed_with_their_cycle()
    {
        (await Put("detergent", """{ "name": "Detergent", "usage_days": 30 }""")).EnsureSuccessStatusCode();
        (await _client.PostAsJsonAsync("/v1/track", new
        {
            userId = "ann", @event = "Order Completed", timestamp = Now,
            properties = new { order_id = "o1", total = 60, products = new[] { new { product_id = "detergent", quantity = 2 } } },
        })).EnsureSuccessStatusCode();
        var due = (await Json(await _client.GetAsync("/v1/customers/ann/replenishments")))["replenishments"]!.AsArray().Single()!;
        (due["productId"]!.GetValue<string>(), due["cycleDays"]!.GetValue<decimal>(), due["cycleSource"]!.GetValue<string>(), due["dueAt"]!.GetValue<DateTimeOffset>())
            .Should().Be(("detergent", 60m, "usage_days", Now.AddDays(57)));
        (await _client.GetAsync("/v1/customers/nobody/replenishments")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }
}
