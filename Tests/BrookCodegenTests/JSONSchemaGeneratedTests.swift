// Types generated from JSON Schema: valid documents decode into them and encode back to
// documents the validator accepts; invalid documents are caught by the validator built from
// the schema the type carries (constraints Codable cannot express) or fail to decode (shape).
import Foundation
import JSONSchema
import Testing

private let validDocument = #"""
    {"customer_id": "cus-123", "email": "ada@example.com", "display_name": null, "plan": "pro",
     "marketing_opt_in": true, "signed_up_at": "2026-11-24T09:00:00Z", "age": 36, "lifetime_value": 12.5,
     "address": {"street": "12 Analytical Engine Way", "city": "London", "country": "GB"},
     "previous_addresses": [{"street": "1 Old Road", "city": "Bath", "postal_code": "BA1", "country": "GB"}],
     "tags": ["early"], "attributes": {"source": "ad"}, "referral": {"code": "FRIEND", "referrer_id": "cus-9"}}
    """#

@Test func validDocumentsDecodeIntoTheGeneratedType() throws {
    let customer = try JSONDecoder().decode(CustomerSignedUp.self, from: Data(validDocument.utf8))
    #expect(customer.customerId == "cus-123")
    #expect(customer.plan == .pro)
    #expect(customer.displayName == nil)
    #expect(customer.age == 36)
    #expect(customer.address?.postalCode == nil)
    #expect(customer.previousAddresses?.first?.postalCode == "BA1")
    #expect(customer.attributes == ["source": "ad"])
    #expect(customer.referral?.referrerId == "cus-9")

    let minimal = CustomerSignedUp(customerId: "cus-1", email: "b@example.com", plan: .free, signedUpAt: "2026-01-01T00:00:00Z")
    let validator = try CustomerSignedUp.makeValidator(formatAssertion: true)
    for value in [customer, minimal] {
        let encoded = try JSONEncoder().encode(value)
        #expect(validator.validate(try JSONValue.parse(encoded)).isEmpty)
        #expect(try JSONDecoder().decode(CustomerSignedUp.self, from: encoded) == value)
    }
}

@Test func invalidDocumentsAreRejected() throws {
    let validator = try CustomerSignedUp.makeValidator(formatAssertion: true)
    #expect(validator.isValid(try JSONValue.parse(validDocument)))
    // Shape is fine for Codable, constraints are not: only the validator can tell.
    let constraintViolations = [
        validDocument.replacingOccurrences(of: "cus-123", with: "customer-123"),
        validDocument.replacingOccurrences(of: "\"age\": 36", with: "\"age\": 3"),
        validDocument.replacingOccurrences(of: "\"GB\"}", with: "\"Britain\"}"),
        validDocument.replacingOccurrences(of: "ada@example.com", with: "not an email"),
    ]
    for document in constraintViolations {
        #expect(!validator.isValid(try JSONValue.parse(document)), "\(document)")
        #expect((try? JSONDecoder().decode(CustomerSignedUp.self, from: Data(document.utf8))) != nil)
    }
    // Wrong shape: both the validator and the decoder refuse.
    let shapeViolations = [
        validDocument.replacingOccurrences(of: "\"plan\": \"pro\",", with: ""),
        validDocument.replacingOccurrences(of: "\"pro\"", with: "\"gold\""),
        validDocument.replacingOccurrences(of: "\"age\": 36", with: "\"age\": \"36\""),
    ]
    for document in shapeViolations {
        #expect(!validator.isValid(try JSONValue.parse(document)), "\(document)")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(CustomerSignedUp.self, from: Data(document.utf8)) }
    }
}
