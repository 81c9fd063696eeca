from services.casework.geo import boundary_box, is_inside_boundary

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[100.88, 12.73], [100.93, 12.73], [100.93, 12.78], [100.88, 12.78], [100.88, 12.73]]],
}


def test_point_inside_and_outside_a_polygon():
    assert is_inside_boundary(SQUARE, latitude=12.75, longitude=100.9)
    assert not is_inside_boundary(SQUARE, latitude=12.80, longitude=100.9)
    assert not is_inside_boundary(SQUARE, latitude=12.75, longitude=100.95)


def test_multipolygon_and_holes():
    hole = [[100.89, 12.74], [100.91, 12.74], [100.91, 12.76], [100.89, 12.76], [100.89, 12.74]]
    with_hole = {"type": "Polygon", "coordinates": [SQUARE["coordinates"][0], hole]}
    assert not is_inside_boundary(with_hole, latitude=12.75, longitude=100.90)
    multi = {
        "type": "MultiPolygon",
        "coordinates": [SQUARE["coordinates"], [[[101, 13], [101.1, 13], [101.1, 13.1], [101, 13]]]],
    }
    assert is_inside_boundary(multi, latitude=13.02, longitude=101.05)
    assert boundary_box(SQUARE) == (12.73, 100.88, 12.78, 100.93)
