// The data `brook bench schemas` measures, kept in one place so bench/schema-bench.py runs
// fastavro and Python jsonschema on exactly the same bytes: `brook bench schemas --write-data
// DIR` writes these files and `--data-dir DIR` reads them back.
//
// - an Avro `OrderPlaced` record of 10 fields (strings, ints, longs, a nested record, an array
//   and a union) and one datum in Avro's JSON encoding;
// - a JSON Schema (2020-12) for an order event with nested objects, arrays, patterns, formats
//   and enums, and a valid event of about 1 KiB.
import Foundation

struct BenchSchemaData {
    static let avroSchemaFileName = "order.avsc"
    static let avroDatumFileName = "order.avro.json"
    static let jsonSchemaFileName = "order-event.schema.json"
    static let jsonEventFileName = "order-event.json"

    var avroSchema: String
    var avroDatum: String
    var jsonSchema: String
    var jsonEvent: String

    static let builtIn = BenchSchemaData(
        avroSchema: builtInAvroSchema, avroDatum: builtInAvroDatum,
        jsonSchema: builtInJSONSchema, jsonEvent: builtInJSONEvent)

    private var files: [(name: String, text: String)] {
        [(Self.avroSchemaFileName, avroSchema), (Self.avroDatumFileName, avroDatum),
         (Self.jsonSchemaFileName, jsonSchema), (Self.jsonEventFileName, jsonEvent)]
    }

    /// Reads the four files from `directory` (each as written by `write(to:)`). The newline that
    /// ends each file is dropped, so the event measured is the same bytes as the built-in one.
    static func read(from directory: String) throws(SchemaInputError) -> BenchSchemaData {
        func text(_ name: String) throws(SchemaInputError) -> String {
            try SchemaFiles.readText((directory as NSString).appendingPathComponent(name)).trimmingCharacters(in: .newlines)
        }
        return BenchSchemaData(
            avroSchema: try text(avroSchemaFileName), avroDatum: try text(avroDatumFileName),
            jsonSchema: try text(jsonSchemaFileName), jsonEvent: try text(jsonEventFileName))
    }

    /// Writes the four files into `directory`, creating it if needed.
    func write(to directory: String) throws(SchemaInputError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for file in files {
                let path = (directory as NSString).appendingPathComponent(file.name)
                try Data((file.text.hasSuffix("\n") ? file.text : file.text + "\n").utf8)
                    .write(to: URL(fileURLWithPath: path))
            }
        } catch {
            throw SchemaInputError("cannot write the benchmark data to \(directory): \(error.localizedDescription)")
        }
    }

}

extension BenchSchemaData {
    static let builtInAvroSchema = #"""
        {"type": "record", "name": "OrderPlaced", "namespace": "com.example.bench",
         "fields": [
           {"name": "orderId", "type": "string"},
           {"name": "customerId", "type": "string"},
           {"name": "quantity", "type": "int"},
           {"name": "priceCents", "type": "long"},
           {"name": "currency", "type": "string"},
           {"name": "shippingAddress", "type": {"type": "record", "name": "Address", "fields": [
             {"name": "street", "type": "string"},
             {"name": "city", "type": "string"},
             {"name": "postalCode", "type": "string"},
             {"name": "country", "type": "string"}]}},
           {"name": "tags", "type": {"type": "array", "items": "string"}},
           {"name": "couponCode", "type": ["null", "string"], "default": null},
           {"name": "createdAtMillis", "type": "long"},
           {"name": "priority", "type": "int"}
         ]}
        """#

    static let builtInAvroDatum = #"""
        {"orderId": "ord-000123456", "customerId": "cus-48213", "quantity": 3, "priceCents": 22451, "currency": "EUR", "shippingAddress": {"street": "12 Analytical Engine Way", "city": "London", "postalCode": "N1 9GU", "country": "GB"}, "tags": ["gift", "express", "first-order"], "couponCode": {"string": "SPRING10"}, "createdAtMillis": 1795518930123, "priority": 2}
        """#

    static let builtInJSONSchema = #"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "$id": "https://example.com/schemas/order-placed.json",
          "title": "OrderPlaced event",
          "type": "object",
          "required": ["eventId", "eventType", "occurredAt", "schemaVersion", "order", "source"],
          "additionalProperties": false,
          "properties": {
            "eventId": {"type": "string", "format": "uuid"},
            "eventType": {"enum": ["OrderPlaced", "OrderPaid", "OrderShipped", "OrderCancelled"]},
            "occurredAt": {"type": "string", "format": "date-time"},
            "schemaVersion": {"type": "integer", "minimum": 1, "maximum": 100},
            "order": {
              "type": "object",
              "required": ["orderId", "customer", "currency", "lines", "totals", "shippingAddress", "payment", "channel"],
              "additionalProperties": false,
              "properties": {
                "orderId": {"type": "string", "pattern": "^ord-[0-9]{9}$"},
                "customer": {
                  "type": "object",
                  "required": ["customerId", "email", "tier"],
                  "properties": {
                    "customerId": {"type": "string", "pattern": "^cus-[0-9]+$"},
                    "email": {"type": "string", "format": "email", "maxLength": 254},
                    "tier": {"enum": ["bronze", "silver", "gold", "platinum"]},
                    "marketingOptIn": {"type": "boolean"}
                  }
                },
                "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
                "lines": {"type": "array", "minItems": 1, "maxItems": 500, "items": {"$ref": "#/$defs/orderLine"}},
                "totals": {
                  "type": "object",
                  "required": ["subtotalCents", "totalCents"],
                  "properties": {
                    "subtotalCents": {"$ref": "#/$defs/cents"},
                    "shippingCents": {"$ref": "#/$defs/cents"},
                    "taxCents": {"$ref": "#/$defs/cents"},
                    "totalCents": {"$ref": "#/$defs/cents"}
                  }
                },
                "shippingAddress": {"$ref": "#/$defs/address"},
                "payment": {
                  "type": "object",
                  "required": ["method"],
                  "properties": {
                    "method": {"enum": ["card", "paypal", "bank-transfer", "voucher"]},
                    "cardLast4": {"type": "string", "pattern": "^[0-9]{4}$"},
                    "authorizedAt": {"type": "string", "format": "date-time"}
                  }
                },
                "tags": {"type": "array", "uniqueItems": true, "maxItems": 20,
                         "items": {"enum": ["gift", "express", "fragile", "first-order", "subscription"]}},
                "channel": {"enum": ["web", "ios", "android", "store", "phone"]}
              }
            },
            "source": {
              "type": "object",
              "required": ["service"],
              "properties": {
                "service": {"type": "string", "minLength": 1, "maxLength": 64},
                "host": {"type": "string", "format": "hostname"},
                "ip": {"type": "string", "format": "ipv4"},
                "traceId": {"type": "string", "pattern": "^[0-9a-f]{32}$"}
              }
            }
          },
          "$defs": {
            "cents": {"type": "integer", "minimum": 0},
            "orderLine": {
              "type": "object",
              "required": ["sku", "quantity", "unitPriceCents"],
              "additionalProperties": false,
              "properties": {
                "sku": {"type": "string", "pattern": "^SKU-[0-9]{5}-[A-Z]{3}$"},
                "name": {"type": "string", "minLength": 1, "maxLength": 200},
                "quantity": {"type": "integer", "minimum": 1, "maximum": 1000},
                "unitPriceCents": {"$ref": "#/$defs/cents"},
                "discountCents": {"$ref": "#/$defs/cents"}
              }
            },
            "address": {
              "type": "object",
              "required": ["line1", "city", "postalCode", "country"],
              "properties": {
                "line1": {"type": "string", "minLength": 1},
                "line2": {"type": "string"},
                "city": {"type": "string", "minLength": 1},
                "postalCode": {"type": "string", "maxLength": 16},
                "country": {"type": "string", "pattern": "^[A-Z]{2}$"}
              }
            }
          }
        }
        """#

    static let builtInJSONEvent = #"""
        {"eventId":"9f1c2a4e-7b3d-4c5e-9a8f-1b2c3d4e5f60","eventType":"OrderPlaced","occurredAt":"2026-11-24T10:15:30.123Z","schemaVersion":3,"order":{"orderId":"ord-000123456","customer":{"customerId":"cus-48213","email":"ada.lovelace@example.com","tier":"gold","marketingOptIn":true},"currency":"EUR","lines":[{"sku":"SKU-10023-BLK","name":"Wireless headphones","quantity":1,"unitPriceCents":12999,"discountCents":1300},{"sku":"SKU-20411-WHT","name":"USB-C charging cable 2 m","quantity":2,"unitPriceCents":1499,"discountCents":0},{"sku":"SKU-33870-RED","name":"Travel case","quantity":1,"unitPriceCents":2450,"discountCents":0}],"totals":{"subtotalCents":18447,"shippingCents":499,"taxCents":3505,"totalCents":22451},"shippingAddress":{"line1":"12 Analytical Engine Way","line2":"Flat 3","city":"London","postalCode":"N1 9GU","country":"GB"},"payment":{"method":"card","cardLast4":"4242","authorizedAt":"2026-11-24T10:15:29Z"},"tags":["gift","express"],"channel":"web"},"source":{"service":"checkout-api","host":"checkout-7d9f8c-2kq4x.eu-west-1.internal","ip":"10.42.7.19","traceId":"4bf92f3577b34da6a3ce929d0e0e4736"}}
        """#
}
