"""What the demo is made of: US cities (with their time zones and share of places), cuisines with
their menus, names, streets, review texts and the hours people look for food."""

from dataclasses import dataclass


@dataclass(frozen=True)
class City:
    name: str
    state: str
    time_zone: str
    lat: float
    lng: float
    weight: int  # share of places


CITIES = [
    City("New York", "NY", "America/New_York", 40.7128, -74.0060, 14),
    City("Los Angeles", "CA", "America/Los_Angeles", 34.0522, -118.2437, 12),
    City("Chicago", "IL", "America/Chicago", 41.8781, -87.6298, 10),
    City("Austin", "TX", "America/Chicago", 30.2672, -97.7431, 9),
    City("Houston", "TX", "America/Chicago", 29.7604, -95.3698, 8),
    City("Phoenix", "AZ", "America/Phoenix", 33.4484, -112.0740, 6),
    City("Denver", "CO", "America/Denver", 39.7392, -104.9903, 6),
    City("Seattle", "WA", "America/Los_Angeles", 47.6062, -122.3321, 7),
    City("Portland", "OR", "America/Los_Angeles", 45.5152, -122.6784, 7),
    City("San Francisco", "CA", "America/Los_Angeles", 37.7749, -122.4194, 7),
    City("Miami", "FL", "America/New_York", 25.7617, -80.1918, 6),
    City("Nashville", "TN", "America/Chicago", 36.1627, -86.7816, 4),
    City("Boston", "MA", "America/New_York", 42.3601, -71.0589, 5),
    City("Honolulu", "HI", "Pacific/Honolulu", 21.3069, -157.8583, 2),
    City("Anchorage", "AK", "America/Anchorage", 61.2181, -149.9003, 1),
]

# (name, slug, [ (item name, price, vegan, vegetarian, gluten free) ], name words)
CUISINES = [
    (
        "Tacos",
        "tacos",
        [
            ("Al Pastor Taco", "3.75", False, False, True),
            ("Carne Asada Taco", "4.25", False, False, True),
            ("Baja Fish Taco", "4.50", False, False, False),
            ("Mushroom & Poblano Taco", "3.95", True, True, True),
            ("Chicken Tinga Burrito", "10.50", False, False, False),
            ("Elote", "5.00", False, True, True),
            ("Chips & Guacamole", "6.25", True, True, True),
            ("Horchata", "3.50", False, True, True),
            ("Quesabirria (3)", "13.00", False, False, True),
        ],
        ["Taco", "Taqueria", "El Fogón", "La Esquina", "Tacos"],
    ),
    (
        "BBQ",
        "bbq",
        [
            ("Brisket Plate", "18.50", False, False, True),
            ("Pulled Pork Sandwich", "12.00", False, False, False),
            ("Smoked Half Chicken", "15.00", False, False, True),
            ("Burnt Ends", "14.50", False, False, True),
            ("Mac & Cheese", "5.50", False, True, False),
            ("Collard Greens", "4.50", True, True, True),
            ("Cornbread", "3.00", False, True, False),
            ("Sweet Tea", "3.00", True, True, True),
        ],
        ["Smokehouse", "Pit BBQ", "Barbecue", "Smoke & Oak", "Brisket Co."],
    ),
    (
        "Burgers",
        "burgers",
        [
            ("Classic Smash Burger", "11.00", False, False, False),
            ("Double Bacon Cheeseburger", "14.50", False, False, False),
            ("Black Bean Burger", "12.00", True, True, False),
            ("Crispy Chicken Sandwich", "12.50", False, False, False),
            ("Hand-cut Fries", "4.50", True, True, True),
            ("Onion Rings", "5.50", False, True, False),
            ("Vanilla Milkshake", "6.50", False, True, True),
        ],
        ["Burger Bus", "Smash Shack", "Patty Wagon", "Grill", "Burger Co."],
    ),
    (
        "Vegan",
        "vegan",
        [
            ("Jackfruit BBQ Sandwich", "12.50", True, True, False),
            ("Buddha Bowl", "13.00", True, True, True),
            ("Cauliflower Wings", "9.50", True, True, True),
            ("Beyond Burger", "13.50", True, True, False),
            ("Kale Caesar", "10.00", True, True, True),
            ("Oat Milk Chai", "5.00", True, True, True),
        ],
        ["Green Machine", "Plant Kitchen", "Sprout", "Leaf & Root", "Veg Out"],
    ),
    (
        "Coffee",
        "coffee",
        [
            ("Espresso", "3.00", True, True, True),
            ("Cappuccino", "4.50", False, True, True),
            ("Cold Brew", "4.75", True, True, True),
            ("Oat Latte", "5.50", True, True, True),
            ("Almond Croissant", "4.25", False, True, False),
            ("Breakfast Burrito", "9.00", False, False, False),
        ],
        ["Coffee Cart", "Espresso Bar", "Roasters", "Bean Wagon", "Brew Co."],
    ),
    (
        "Desserts",
        "desserts",
        [
            ("Churros with Chocolate", "7.00", False, True, False),
            ("Soft-serve Cone", "4.50", False, True, True),
            ("Mochi Ice Cream (3)", "6.00", False, True, True),
            ("Vegan Brownie", "4.00", True, True, False),
            ("Crêpe with Nutella", "8.50", False, True, False),
            ("Mango Sorbet", "5.00", True, True, True),
        ],
        ["Sweet Spot", "Scoops", "Sugar Rush", "Churro Truck", "Crêperie"],
    ),
    (
        "Asian",
        "asian",
        [
            ("Pork Belly Bao (2)", "9.50", False, False, False),
            ("Chicken Teriyaki Bowl", "12.50", False, False, False),
            ("Pad Thai", "13.00", False, False, True),
            ("Tofu Banh Mi", "10.50", True, True, False),
            ("Vegetable Dumplings (6)", "8.00", True, True, False),
            ("Kimchi Fried Rice", "11.50", False, False, True),
            ("Thai Iced Tea", "4.50", False, True, True),
        ],
        ["Wok", "Bao House", "Seoul Food", "Noodle Bar", "Banh Mi Express"],
    ),
    (
        "Pizza",
        "pizza",
        [
            ("Margherita", "12.00", False, True, False),
            ("Pepperoni", "14.00", False, False, False),
            ("Vegan Marinara", "11.50", True, True, False),
            ("Gluten-free Margherita", "14.50", False, True, True),
            ("Garlic Knots", "6.00", False, True, False),
            ("Caesar Salad", "8.50", False, False, True),
        ],
        ["Pizza Oven", "Slice", "Wood-fired Pizza", "Pie Truck", "Pizzeria"],
    ),
    (
        "Sandwiches",
        "sandwiches",
        [
            ("Philly Cheesesteak", "13.50", False, False, False),
            ("Cuban", "12.00", False, False, False),
            ("Caprese Panini", "10.50", False, True, False),
            ("Hummus Veggie Wrap", "9.50", True, True, False),
            ("Kettle Chips", "2.50", True, True, True),
        ],
        ["Deli", "Sandwich Shop", "Hoagie Hut", "Melt", "Panini Press"],
    ),
    (
        "Seafood",
        "seafood",
        [
            ("Lobster Roll", "24.00", False, False, False),
            ("Fish & Chips", "15.50", False, False, False),
            ("Shrimp Po' Boy", "14.00", False, False, False),
            ("Poke Bowl", "16.00", False, False, True),
            ("Clam Chowder", "8.00", False, False, False),
        ],
        ["Catch", "Fish Shack", "Lobster Pound", "Poke Stop", "Dockside"],
    ),
    (
        "Mediterranean",
        "mediterranean",
        [
            ("Chicken Shawarma Plate", "14.00", False, False, True),
            ("Falafel Wrap", "10.00", True, True, False),
            ("Lamb Gyro", "12.50", False, False, False),
            ("Hummus & Pita", "7.00", True, True, False),
            ("Greek Salad", "9.50", False, True, True),
        ],
        ["Halal Cart", "Falafel King", "Gyro Spot", "Shawarma", "Mezze"],
    ),
    (
        "Breakfast",
        "breakfast",
        [
            ("Breakfast Sandwich", "8.50", False, False, False),
            ("Chilaquiles", "11.00", False, True, True),
            ("Avocado Toast", "9.00", True, True, False),
            ("Buttermilk Pancakes", "9.50", False, True, False),
            ("Fresh Orange Juice", "5.00", True, True, True),
        ],
        ["Morning Glory", "Sunny Side", "Early Bird", "Waffle Wagon", "Brunch Bus"],
    ),
]
ADJECTIVES = ["Golden", "Rolling", "Big", "Little", "Red", "Blue", "Happy", "Urban", "Lucky", "Wild", "Street", "Local"]
FIRST_NAMES = ["Ava", "Ben", "Chloe", "Dan", "Emma", "Felix", "Grace", "Hugo", "Isla", "Jack", "Kim", "Liam", "Maya"]
LAST_NAMES = ["Smith", "Garcia", "Johnson", "Lee", "Brown", "Davis", "Lopez", "Wilson", "Clark", "Young", "King"]
STREETS = ["Main St", "Oak Ave", "Market St", "2nd Ave", "Broadway", "Pine St", "Elm St", "Park Ave", "Lake Dr"]
REVIEWS = {
    5: ["Best in town, hands down.", "Incredible — worth the line.", "Perfect every single time!"],
    4: ["Really good, a bit of a wait.", "Great food, friendly staff.", "Solid choice for lunch."],
    3: ["Decent, nothing special.", "Good but pricey.", "Portions could be bigger."],
    2: ["Cold food and a long wait.", "Not what it used to be."],
    1: ["Closed when the app said open.", "Would not come back."],
}
# Local hours of activity and their weights: lunch and dinner peaks.
HOUR_WEIGHTS = [0, 0, 0, 0, 0, 0, 1, 2, 4, 5, 6, 12, 16, 12, 7, 5, 6, 9, 12, 11, 8, 5, 3, 1]
