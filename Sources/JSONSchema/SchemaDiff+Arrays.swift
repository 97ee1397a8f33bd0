// SchemaDiff rules for array schemas: the `items` schema, tuple items against the other side's
// content model, additional/unevaluated items and the count keywords.

extension SchemaDiff {
    static func isOpenArrayContentModel(_ schema: DiffSchema) -> Bool {
        guard schema.permitsAdditionalItems, schema.additionalItems == nil else { return false }
        return schema.unevaluatedItems.map { $0.resolved.kind == .empty } ?? true
    }

    static func schemaFromPartiallyOpenArrayContentModel(_ schema: DiffSchema) -> DiffSchema? {
        if let additional = schema.additionalItems { return additional }
        if schema.permitsAdditionalItems, let unevaluated = schema.unevaluatedItems,
           ![.falseSchema, .empty].contains(unevaluated.resolved.kind) {
            return unevaluated
        }
        return nil
    }

    static func compareArray(_ context: inout DiffContext, _ original: DiffSchema, _ update: DiffSchema) throws {
        try context.within("items") { context in try compare(&context, original.allItems, update.allItems) }
        try compareTuple(&context, original, update)
        try context.within("additionalItems") { context in
            if original.permitsAdditionalItems != update.permitsAdditionalItems {
                context.add(original.permitsAdditionalItems ? .additionalItemsRemoved : .additionalItemsAdded)
            } else if original.additionalItems == nil && update.additionalItems != nil {
                context.add(.additionalItemsNarrowed)
            } else if original.additionalItems != nil && update.additionalItems == nil {
                context.add(.additionalItemsExtended)
            } else {
                try compare(&context, original.additionalItems, update.additionalItems)
            }
        }
        try compareUnevaluated(
            &context, "unevaluatedItems", original.unevaluatedItems, update.unevaluatedItems,
            added: .unevaluatedItemsAdded, removed: .unevaluatedItemsRemoved,
            extended: .unevaluatedItemsExtended, narrowed: .unevaluatedItemsNarrowed)
        compareLimit(&context, "maxItems", original.maxItems, update.maxItems, added: .maxItemsAdded,
                     removed: .maxItemsRemoved, increased: .maxItemsIncreased, decreased: .maxItemsDecreased)
        compareLimit(&context, "minItems", original.minItems, update.minItems, added: .minItemsAdded,
                     removed: .minItemsRemoved, increased: .minItemsIncreased, decreased: .minItemsDecreased)
        if original.uniqueItems != update.uniqueItems {
            context.add("uniqueItems", original.uniqueItems ? .uniqueItemsRemoved : .uniqueItemsAdded)
        }
        compareLimit(&context, "maxContains", original.maxContains, update.maxContains, added: .maxContainsAdded,
                     removed: .maxContainsRemoved, increased: .maxContainsIncreased, decreased: .maxContainsDecreased)
        compareLimit(&context, "minContains", original.minContains, update.minContains, added: .minContainsAdded,
                     removed: .minContainsRemoved, increased: .minContainsIncreased, decreased: .minContainsDecreased)
    }

    private static func compareTuple(_ context: inout DiffContext, _ original: DiffSchema, _ update: DiffSchema) throws {
        let shared = min(original.itemSchemas.count, update.itemSchemas.count)
        for index in 0..<shared {
            try context.within("items", String(index)) { context in
                try compare(&context, original.itemSchemas[index], update.itemSchemas[index])
            }
        }
        for index in shared..<max(shared, original.itemSchemas.count) {
            let removedItem = original.itemSchemas[index]
            try context.within("items", String(index)) { context in
                if isOpenArrayContentModel(update) {
                    context.add(.itemRemovedFromOpenContentModel)
                } else if let covering = schemaFromPartiallyOpenArrayContentModel(update) {
                    var branch = context.subcontext()
                    try compare(&branch, removedItem, covering)
                    context.add(contentsOf: branch.changes)
                    context.add(branch.isCompatible
                        ? .itemRemovedIsCoveredByPartiallyOpenContentModel : .itemRemovedNotCoveredByPartiallyOpenContentModel)
                } else {
                    context.add(removedItem.resolved.kind == .falseSchema
                        ? .itemWithFalseRemovedFromClosedContentModel : .itemRemovedFromClosedContentModel)
                }
            }
        }
        for index in shared..<max(shared, update.itemSchemas.count) {
            let addedItem = update.itemSchemas[index]
            try context.within("items", String(index)) { context in
                if isOpenArrayContentModel(original) {
                    context.add(addedItem.resolved.kind == .empty
                        ? .itemWithEmptySchemaAddedToOpenContentModel : .itemAddedToOpenContentModel)
                } else if let covering = schemaFromPartiallyOpenArrayContentModel(original) {
                    var branch = context.subcontext()
                    try compare(&branch, covering, addedItem)
                    context.add(contentsOf: branch.changes)
                    context.add(branch.isCompatible
                        ? .itemAddedIsCoveredByPartiallyOpenContentModel : .itemAddedNotCoveredByPartiallyOpenContentModel)
                } else {
                    context.add(.itemAddedToClosedContentModel)
                }
            }
        }
    }
}
