-- Every stored JSON key is snake_case: a linking's scaling constant D
-- becomes d, and a linked run's constants A and B become a and b.
UPDATE linkings SET options = json_remove(json_set(options, '$.d', json_extract(options, '$.D')), '$.D')
    WHERE json_type(options, '$.D') IS NOT NULL;

UPDATE calibrations SET options = json_set(json_remove(options, '$.linked.A', '$.linked.B'),
        '$.linked.a', json_extract(options, '$.linked.A'),
        '$.linked.b', json_extract(options, '$.linked.B'))
    WHERE json_type(options, '$.linked.A') IS NOT NULL;
